using Bridge.Coordination;

namespace Bridge.Testing;

/// <summary>Leases in memory with the same conditional semantics as DynamoDB; <see cref="Crash"/> makes later writes vanish, as they would with a dead process.</summary>
public sealed class InMemoryLeaseStore : ILeaseStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Lease> _items = new(StringComparer.Ordinal);
    private bool _crashed;

    public int Writes { get; private set; }

    /// <summary>Every worker that ever took a lease here.</summary>
    public IReadOnlyCollection<string> Takers
    {
        get
        {
            lock (_lock)
            {
                return [.. _takers];
            }
        }
    }

    private readonly HashSet<string> _takers = new(StringComparer.Ordinal);

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<Lease>> ListAsync(IReadOnlyCollection<string> streamArns, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<Lease> result = [.. _items.Values.Where(l => streamArns.Contains(l.StreamArn))];
            return Task.FromResult(result);
        }
    }

    public Task<Lease?> GetAsync(string leaseKey, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_items.GetValueOrDefault(leaseKey));
        }
    }

    public Task<bool> TryCreateAsync(Lease lease, CancellationToken cancellationToken) =>
        Task.FromResult(Write(lease.LeaseKey, current => current is null, _ => lease) is not null);

    public Task<Lease?> TryTakeAsync(Lease seen, string owner, CancellationToken cancellationToken)
    {
        var taken = Write(seen.LeaseKey, c => c?.Counter == seen.Counter, c => c with { Owner = owner, Counter = c.Counter + 1, PendingOwner = null });
        if (taken is not null)
        {
            lock (_lock)
            {
                _takers.Add(owner);
            }
        }

        return Task.FromResult(taken);
    }

    public Task<Lease?> TryRenewAsync(Lease held, CancellationToken cancellationToken) =>
        Task.FromResult(Write(held.LeaseKey, c => IsHeld(c, held), c => c with { Counter = c.Counter + 1 }));

    public Task<Lease?> TryCheckpointAsync(Lease held, Checkpoint checkpoint, CancellationToken cancellationToken) =>
        Task.FromResult(Write(held.LeaseKey, c => IsHeld(c, held), c => c with { Counter = c.Counter + 1, Checkpoint = checkpoint }));

    public Task<bool> TryRequestHandoffAsync(Lease seen, string requester, CancellationToken cancellationToken) =>
        Task.FromResult(seen.Owner is not null && Write(seen.LeaseKey, c => c?.Owner == seen.Owner, c => c with { PendingOwner = requester }) is not null);

    public Task<bool> TryReleaseAsync(Lease held, CancellationToken cancellationToken) =>
        Task.FromResult(Write(held.LeaseKey, c => IsHeld(c, held), c => c with { Owner = null, Counter = c.Counter + 1 }) is not null);

    public Task<bool> TryDeleteAsync(Lease seen, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_items.TryGetValue(seen.LeaseKey, out var current) || current.Counter != seen.Counter)
            {
                return Task.FromResult(false);
            }

            if (!_crashed)
            {
                _items.Remove(seen.LeaseKey);
            }

            return Task.FromResult(true);
        }
    }

    public Lease? Get(string streamArn, string shardId)
    {
        lock (_lock)
        {
            return _items.GetValueOrDefault(Lease.KeyOf(streamArn, shardId));
        }
    }

    /// <summary>From now on writes are lost, until <see cref="Restart"/>.</summary>
    public void Crash()
    {
        lock (_lock)
        {
            _crashed = true;
        }
    }

    public void Restart()
    {
        lock (_lock)
        {
            _crashed = false;
        }
    }

    private static bool IsHeld(Lease? current, Lease held) => current is not null && current.Owner == held.Owner && current.Counter == held.Counter;

    /// <summary>Applies a conditional write; a crashed store answers as if it wrote, but keeps nothing.</summary>
    private Lease? Write(string key, Func<Lease?, bool> condition, Func<Lease, Lease> update)
    {
        lock (_lock)
        {
            var current = _items.GetValueOrDefault(key);
            if (!condition(current))
            {
                return null;
            }

            var next = update(current!);
            if (!_crashed)
            {
                Writes++;
                _items[key] = next;
            }

            return next;
        }
    }
}
