namespace Bridge.Coordination;

/// <summary>The shards' leases, with conditional writes only: each write names the state it expects and fails if another worker changed it.</summary>
/// <remarks>
/// <c>Try*</c> methods return null (or false) when the condition failed: someone else changed the lease, which
/// for the holder means the lease is lost (unless the change was its own earlier write, landed without an answer:
/// <see cref="HeldLease"/> reads the lease to tell). Transport and service errors throw, as they are worth a retry.
/// Implementations: <see cref="DynamoDbLeaseStore"/>, and an in-memory fake for tests; both pass one contract suite.
/// </remarks>
public interface ILeaseStore
{
    /// <summary>Creates the backing table if it does not exist yet.</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken);

    /// <summary>Every lease of the given streams (consistent read).</summary>
    Task<IReadOnlyList<Lease>> ListAsync(IReadOnlyCollection<string> streamArns, CancellationToken cancellationToken);

    /// <summary>The lease as stored now (consistent read), or null when there is none.</summary>
    Task<Lease?> GetAsync(string leaseKey, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="lease"/> unless a lease with its key exists; true when this call created it.</summary>
    Task<bool> TryCreateAsync(Lease lease, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="owner"/> the holder if the counter is still <paramref name="seen"/>'s (unowned, expired or stolen); returns the new lease.</summary>
    Task<Lease?> TryTakeAsync(Lease seen, string owner, CancellationToken cancellationToken);

    /// <summary>Bumps the counter if <paramref name="held"/>'s owner and counter still hold; returns the new lease (which may carry a <see cref="Lease.PendingOwner"/>).</summary>
    Task<Lease?> TryRenewAsync(Lease held, CancellationToken cancellationToken);

    /// <summary>Writes a checkpoint (and bumps the counter) if <paramref name="held"/>'s owner and counter still hold.</summary>
    Task<Lease?> TryCheckpointAsync(Lease held, Checkpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>Asks the holder to hand the lease over to <paramref name="requester"/>: sets <see cref="Lease.PendingOwner"/> if <paramref name="seen"/>'s owner still holds it.</summary>
    Task<bool> TryRequestHandoffAsync(Lease seen, string requester, CancellationToken cancellationToken);

    /// <summary>Removes the owner (a handoff request stays, so the requester takes it first) if <paramref name="held"/>'s owner and counter still hold, so another worker can take it at once.</summary>
    Task<bool> TryReleaseAsync(Lease held, CancellationToken cancellationToken);

    /// <summary>Deletes a lease if its counter is still <paramref name="seen"/>'s (cleanup of finished shards).</summary>
    Task<bool> TryDeleteAsync(Lease seen, CancellationToken cancellationToken);
}
