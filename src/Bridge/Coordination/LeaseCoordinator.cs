using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Coordination;

/// <summary>This worker's side of sharing the shards: renews the leases it holds, takes unowned or expired ones, and balances.</summary>
/// <remarks>
/// One cycle every <see cref="LeaseOptions.EffectiveRenewInterval"/> (or sooner on <see cref="RequestCycle"/>):
/// <list type="number">
/// <item>Renew every held lease; a failed conditional write (or a lease unconfirmed for its whole duration) is a
/// lost lease, whose <see cref="HeldLease.Lost"/> stops its consumer at once.</item>
/// <item>List the leases. A lease is <i>expired</i> when its counter has not changed for <see cref="LeaseOptions.Duration"/>
/// measured with this worker's clock from when it last saw the counter change: no clock of another machine is read.</item>
/// <item>Take, up to the fair share <c>ceil(workable / workers)</c>, leases that are unowned or expired. A lease is
/// workable when it is not at SHARD_END and its parent is (parent before child across workers).</item>
/// <item>If nothing was free and the most loaded worker holds at least two more than this one, ask it for one lease
/// (<see cref="Lease.PendingOwner"/>): it drains, checkpoints and releases, so balancing re-sends nothing.
/// If it does not answer within a lease duration, the lease is taken anyway.</item>
/// <item>Delete finished leases whose children all have checkpoints, once seen finished for <see cref="LeaseOptions.CleanupDelay"/>.</item>
/// </list>
/// The loop is the only writer of <see cref="_held"/>'s membership besides <see cref="ReleaseAsync"/>; both
/// change it under <see cref="_lock"/> and do their store calls outside it.
/// </remarks>
public sealed partial class LeaseCoordinator
{
    private readonly ILeaseStore _store;

    /// <summary>Merge mode's group lease key (see the constructor), or null.</summary>
    private readonly string? _groupLeaseKey;
    private readonly IReadOnlyCollection<string> _streamArns;
    private readonly LeaseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BridgeMetrics? _metrics;
    private readonly Random _random = new();
    private readonly Lock _lock = new();

    /// <summary>Leases this worker holds, by lease key. Guarded by <see cref="_lock"/>.</summary>
    private readonly Dictionary<string, HeldLease> _held = new(StringComparer.Ordinal);

    /// <summary>Per lease key: the counter and owner last seen, and the local timestamp when that was first seen. Loop-only.</summary>
    private readonly Dictionary<string, (long Counter, string? Owner, string? Pending, long Since)> _seen = new(StringComparer.Ordinal);

    /// <summary>Per lease key this worker asked for: local timestamp of the request. Loop-only.</summary>
    private readonly Dictionary<string, long> _askedAt = new(StringComparer.Ordinal);

    /// <summary>Per finished lease key: local timestamp when it was first seen finished. Loop-only.</summary>
    private readonly Dictionary<string, long> _finishedSince = new(StringComparer.Ordinal);

    /// <summary>Every lease as of the last listing. Replaced whole, never mutated.</summary>
    private IReadOnlyList<Lease> _snapshot = [];

    /// <summary>Completed at the end of each cycle and replaced; what forwarders wait on to start newly held shards.</summary>
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Completed to run the next cycle at once; replaced by the loop.</summary>
    private TaskCompletionSource _wake = NewSignal();

    /// <param name="groupLeaseKey">Merge mode: the one lease a worker must hold before it takes any shard lease; it then
    /// takes every shard lease (no balancing), and losing it loses them all. Null: leases are shared fairly.</param>
    public LeaseCoordinator(ILeaseStore store, IReadOnlyCollection<string> streamArns, LeaseOptions options, TimeProvider time, ILogger logger, BridgeMetrics? metrics = null, string? groupLeaseKey = null)
    {
        _metrics = metrics;
        _store = store;
        _groupLeaseKey = groupLeaseKey;
        _streamArns = groupLeaseKey is null ? streamArns : [.. streamArns, groupLeaseKey[..groupLeaseKey.IndexOf('|', StringComparison.Ordinal)]];
        _options = options;
        _time = time;
        _logger = logger;
        WorkerId = options.EffectiveWorkerId;
    }

    public string WorkerId { get; }

    public ILeaseStore Store => _store;

    /// <summary>Every lease of the configured streams as of the last cycle.</summary>
    public IReadOnlyList<Lease> Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Completes at the end of the next cycle.</summary>
    public Task Changed
    {
        get
        {
            lock (_lock)
            {
                return _changed.Task;
            }
        }
    }

    public HeldLease? Find(string leaseKey)
    {
        lock (_lock)
        {
            return _held.GetValueOrDefault(leaseKey);
        }
    }

    public int HeldCount
    {
        get
        {
            lock (_lock)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>Runs the next cycle now (new leases created, a lease released, a shard finished).</summary>
    public void RequestCycle()
    {
        TaskCompletionSource wake;
        lock (_lock)
        {
            wake = _wake;
        }

        wake.TrySetResult();
    }

    /// <summary>Cycles until <paramref name="stop"/>; takes nothing more once <paramref name="stopTaking"/> is cancelled (shutdown: keep renewing while draining).</summary>
    public async Task RunAsync(CancellationToken stopTaking, CancellationToken stop)
    {
        LogStarted(WorkerId, _options.Duration.TotalSeconds, _options.EffectiveRenewInterval.TotalSeconds);
        _metrics?.ObserveLeases(this);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Task wake;
                lock (_lock)
                {
                    if (_wake.Task.IsCompleted)
                    {
                        _wake = NewSignal();
                    }

                    wake = _wake.Task;
                }

                try
                {
                    await RenewAllAsync(stop).ConfigureAwait(false);
                    await ScanAndTakeAsync(takeNew: !stopTaking.IsCancellationRequested, stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (TransientFailure.Is(ex))
                {
                    LogCycleFailed(ex.Message);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }

                Publish();
                try
                {
                    await Task.WhenAny(wake, Task.Delay(_options.EffectiveRenewInterval, _time, stop)).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
            }

            Publish();
        }
        finally
        {
            _metrics?.ForgetLeases(this);
        }
    }

    /// <summary>Releases a held lease (graceful shutdown, handoff, shard finished) so another worker continues at once.</summary>
    public async Task ReleaseAsync(HeldLease lease, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_held.GetValueOrDefault(lease.LeaseKey) == lease)
            {
                _held.Remove(lease.LeaseKey);
            }
        }

        try
        {
            if (await lease.TryReleaseAsync(cancellationToken).ConfigureAwait(false))
            {
                LogReleased(lease.Current.ShardId, WorkerId);
            }
        }
        catch (Exception ex) when (TransientFailure.Is(ex))
        {
            // Not released: it expires after its duration instead.
            LogCycleFailed(ex.Message);
        }

        RequestCycle();
    }

    /// <summary>Releases every lease still held (shutdown, after the consumers stopped).</summary>
    public async Task ReleaseAllAsync(CancellationToken cancellationToken)
    {
        HeldLease[] held;
        lock (_lock)
        {
            held = [.. _held.Values];
        }

        foreach (var lease in held)
        {
            await ReleaseAsync(lease, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RenewAllAsync(CancellationToken cancellationToken)
    {
        HeldLease[] held;
        lock (_lock)
        {
            // The group lease first: the shard leases are held under it.
            held = [.. _held.Values.OrderBy(l => l.LeaseKey == _groupLeaseKey ? 0 : 1)];
        }

        foreach (var lease in held)
        {
            if (_groupLeaseKey is not null && lease.LeaseKey != _groupLeaseKey && Find(_groupLeaseKey) is null)
            {
                // The group went to another worker: it takes these too, so they stop here at once, writing nothing.
                lock (_lock)
                {
                    _held.Remove(lease.LeaseKey);
                }

                lease.MarkLost();
                LogLost(lease.Current.ShardId, WorkerId);
                _metrics?.LeaseLost(lease.Current.TableName);
                continue;
            }

            var renewed = false;
            try
            {
                renewed = await lease.TryRenewAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (TransientFailure.Is(ex))
            {
                LogCycleFailed(ex.Message);
                renewed = lease.CheckValid();
            }

            if (!renewed)
            {
                lock (_lock)
                {
                    if (_held.GetValueOrDefault(lease.LeaseKey) == lease)
                    {
                        _held.Remove(lease.LeaseKey);
                    }
                }

                LogLost(lease.Current.ShardId, WorkerId);
                _metrics?.LeaseLost(lease.Current.TableName);
            }
        }
    }

    private async Task ScanAndTakeAsync(bool takeNew, CancellationToken cancellationToken)
    {
        var all = await _store.ListAsync(_streamArns, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _snapshot, all);
        var now = _time.GetTimestamp();
        foreach (var lease in all)
        {
            if (!_seen.TryGetValue(lease.LeaseKey, out var seen) || seen.Counter != lease.Counter || seen.Owner != lease.Owner || seen.Pending != lease.PendingOwner)
            {
                _seen[lease.LeaseKey] = (lease.Counter, lease.Owner, lease.PendingOwner, now);
            }
        }

        var keys = all.Select(l => l.LeaseKey).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _seen.Keys.Where(k => !keys.Contains(k)).ToList())
        {
            _seen.Remove(gone);
            _finishedSince.Remove(gone);
            _askedAt.Remove(gone);
        }

        await CleanUpAsync(all, now, cancellationToken).ConfigureAwait(false);
        if (!takeNew)
        {
            return;
        }

        var byShard = all.ToDictionary(l => (l.StreamArn, l.ShardId));
        var workable = all.Where(l => !l.IsFinished && l.LeaseKey != _groupLeaseKey && ParentDone(l, byShard)).ToList();
        HashSet<string> mine;
        lock (_lock)
        {
            mine = [.. _held.Keys];
        }

        if (_groupLeaseKey is not null)
        {
            await TakeGroupAsync(all, workable, mine, now, cancellationToken).ConfigureAwait(false);
            return;
        }

        var live = workable.Where(l => l.Owner is { } owner && owner != WorkerId && !Unchanged(l, now)).ToList();
        var loads = live.GroupBy(l => l.Owner!).ToDictionary(g => g.Key, g => g.ToList());
        var myCount = workable.Count(l => mine.Contains(l.LeaseKey));
        var target = workable.Count == 0 ? 0 : (workable.Count + loads.Count) / (loads.Count + 1);
        var needed = target - myCount;
        if (needed <= 0)
        {
            return;
        }

        var available = workable
            .Where(l => !mine.Contains(l.LeaseKey) && IsAvailable(l, now))
            .OrderBy(l => l.Owner is null ? 0 : 1)
            .ThenBy(_ => _random.Next())
            .ToList();
        var taken = 0;
        foreach (var lease in available)
        {
            if (taken == needed)
            {
                break;
            }

            if (await TakeAsync(lease, cancellationToken).ConfigureAwait(false))
            {
                taken++;
            }
        }

        if (taken > 0 || available.Count > 0 || loads.Count == 0)
        {
            return;
        }

        // Nothing free: ask the most loaded worker for one lease, if that brings the two closer.
        var (victim, itsLeases) = loads.MaxBy(kv => kv.Value.Count);
        if (itsLeases.Count - myCount < 2)
        {
            return;
        }

        var asked = itsLeases.FirstOrDefault(l => l.PendingOwner == WorkerId);
        if (asked is not null)
        {
            // Asked before and still not handed over within a lease duration (its holder ignores the request, e.g. a
            // blocked shard): take it; the holder's next write fails, so it is fenced.
            if (_askedAt.TryGetValue(asked.LeaseKey, out var since) && _time.GetElapsedTime(since, now) >= _options.Duration
                && await TakeAsync(asked, cancellationToken).ConfigureAwait(false))
            {
                _askedAt.Remove(asked.LeaseKey);
            }
            else
            {
                _askedAt.TryAdd(asked.LeaseKey, now);
            }

            return;
        }

        var pick = itsLeases.Where(l => l.PendingOwner is null).OrderBy(_ => _random.Next()).FirstOrDefault();
        if (pick is not null && await _store.TryRequestHandoffAsync(pick, WorkerId, cancellationToken).ConfigureAwait(false))
        {
            _askedAt[pick.LeaseKey] = now;
            LogHandoffRequested(pick.ShardId, victim, WorkerId);
        }
    }

    /// <summary>Merge mode: takes the group lease when it is free, and while holding it every free shard lease.</summary>
    /// <remarks>A standby worker runs the same cycles, so it has watched the holder's counters all along and sees the
    /// group and its shard leases expire together, taking over within a lease duration.</remarks>
    private async Task TakeGroupAsync(IReadOnlyList<Lease> all, List<Lease> workable, HashSet<string> mine, long now, CancellationToken cancellationToken)
    {
        if (!mine.Contains(_groupLeaseKey!))
        {
            var group = all.FirstOrDefault(l => l.LeaseKey == _groupLeaseKey);
            if (group is null)
            {
                await _store.TryCreateAsync(Ordering.MergeGroup.NewLease(_groupLeaseKey!), cancellationToken).ConfigureAwait(false);
                RequestCycle();
                return;
            }

            if (!IsAvailable(group, now) || !await TakeAsync(group, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        foreach (var lease in workable.Where(l => !mine.Contains(l.LeaseKey) && IsAvailable(l, now)))
        {
            await TakeAsync(lease, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Unowned (and not promised to another worker), owned by this worker id but not held here, or expired.</summary>
    private bool IsAvailable(Lease lease, long now) => lease.Owner switch
    {
        null => lease.PendingOwner is null || lease.PendingOwner == WorkerId || Unchanged(lease, now),
        var owner when owner == WorkerId => true,
        _ => Unchanged(lease, now),
    };

    /// <summary>True when the lease's counter, owner and handoff request have not changed for a whole lease duration, by this worker's clock.</summary>
    private bool Unchanged(Lease lease, long now) =>
        _seen.TryGetValue(lease.LeaseKey, out var seen) && _time.GetElapsedTime(seen.Since, now) >= _options.Duration;

    private static bool ParentDone(Lease lease, Dictionary<(string, string), Lease> byShard) =>
        lease.ParentShardId is not { } parent
        || !byShard.TryGetValue((lease.StreamArn, parent), out var parentLease)
        || parentLease.IsFinished;

    private async Task<bool> TakeAsync(Lease seen, CancellationToken cancellationToken)
    {
        var sentAt = _time.GetTimestamp();
        var taken = await _store.TryTakeAsync(seen, WorkerId, cancellationToken).ConfigureAwait(false);
        if (taken is null)
        {
            return false;
        }

        var held = new HeldLease(_store, taken, sentAt, _options.Duration, _time);
        HeldLease? previous;
        lock (_lock)
        {
            previous = _held.GetValueOrDefault(taken.LeaseKey);
            _held[taken.LeaseKey] = held;
        }

        previous?.MarkLost();
        _metrics?.LeaseTaken(taken.TableName);
        LogTaken(taken.ShardId, WorkerId, seen.Owner ?? "(none)", taken.Checkpoint?.ToString() ?? "(none)");
        return true;
    }

    /// <summary>Deletes finished leases whose children all have checkpoints, after the cleanup delay.</summary>
    private async Task CleanUpAsync(IReadOnlyList<Lease> all, long now, CancellationToken cancellationToken)
    {
        foreach (var lease in all.Where(l => l.IsFinished))
        {
            if (!_finishedSince.TryGetValue(lease.LeaseKey, out var since))
            {
                _finishedSince[lease.LeaseKey] = now;
                continue;
            }

            var children = all.Where(c => c.StreamArn == lease.StreamArn && c.ParentShardId == lease.ShardId).ToList();
            if (children.Count > 0 && children.All(c => c.Checkpoint is not null) && _time.GetElapsedTime(since, now) >= _options.CleanupDelay
                && await _store.TryDeleteAsync(lease, cancellationToken).ConfigureAwait(false))
            {
                _finishedSince.Remove(lease.LeaseKey);
                LogDeleted(lease.ShardId);
            }
        }
    }

    private void Publish()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            (changed, _changed) = (_changed, NewSignal());
        }

        // Completed outside the lock: forwarders continue on it and call back into Find.
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Worker {WorkerId} sharing leases: duration {Duration} s, renewed every {Renew} s")]
    private partial void LogStarted(string workerId, double duration, double renew);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Lease of shard {ShardId} taken by {WorkerId} (previous owner {Previous}, checkpoint {Checkpoint})")]
    private partial void LogTaken(string shardId, string workerId, string previous, string checkpoint);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Lease of shard {ShardId} LOST by {WorkerId}: its consumer stops and writes nothing more")]
    private partial void LogLost(string shardId, string workerId);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "Lease of shard {ShardId} released by {WorkerId}")]
    private partial void LogReleased(string shardId, string workerId);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Information, Message = "Asked {Victim} to hand shard {ShardId} over to {WorkerId} (balancing)")]
    private partial void LogHandoffRequested(string shardId, string victim, string workerId);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Information, Message = "Finished lease of shard {ShardId} deleted (its children have checkpoints)")]
    private partial void LogDeleted(string shardId);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning, Message = "Lease cycle failed: {Error}; retrying at the next interval")]
    private partial void LogCycleFailed(string error);
}
