using Bridge.Coordination;

namespace Bridge.Benchmarks.Checkpointing;

/// <summary>A lease store that counts the writes a held lease makes (checkpoints and renewals), passing everything on.</summary>
internal sealed class CountingLeaseStore(ILeaseStore inner) : ILeaseStore
{
    private long _checkpoints;
    private long _renewals;

    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    public long Renewals => Interlocked.Read(ref _renewals);

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => inner.EnsureCreatedAsync(cancellationToken);

    public Task<IReadOnlyList<Lease>> ListAsync(IReadOnlyCollection<string> streamArns, CancellationToken cancellationToken) => inner.ListAsync(streamArns, cancellationToken);

    public Task<Lease?> GetAsync(string leaseKey, CancellationToken cancellationToken) => inner.GetAsync(leaseKey, cancellationToken);

    public Task<bool> TryCreateAsync(Lease lease, CancellationToken cancellationToken) => inner.TryCreateAsync(lease, cancellationToken);

    public Task<Lease?> TryTakeAsync(Lease seen, string owner, CancellationToken cancellationToken) => inner.TryTakeAsync(seen, owner, cancellationToken);

    public Task<Lease?> TryRenewAsync(Lease held, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _renewals);
        return inner.TryRenewAsync(held, cancellationToken);
    }

    public Task<Lease?> TryCheckpointAsync(Lease held, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _checkpoints);
        return inner.TryCheckpointAsync(held, checkpoint, cancellationToken);
    }

    public Task<bool> TryRequestHandoffAsync(Lease seen, string requester, CancellationToken cancellationToken) => inner.TryRequestHandoffAsync(seen, requester, cancellationToken);

    public Task<bool> TryReleaseAsync(Lease held, CancellationToken cancellationToken) => inner.TryReleaseAsync(held, cancellationToken);

    public Task<bool> TryDeleteAsync(Lease seen, CancellationToken cancellationToken) => inner.TryDeleteAsync(seen, cancellationToken);
}
