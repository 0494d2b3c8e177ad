using System.Diagnostics;
using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.Filtering;
using Bridge.Routing;
using Bridge.Sink;
using Bridge.Source;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Ordering;

/// <summary>Merge mode's stage between routing and the sink: holds each routed record until the watermark reaches its
/// order value, then hands records to the sink in (order value, arrival) order, so each key's records leave in order
/// of their order values whichever shard or table they were read from.</summary>
/// <remarks>
/// <para>The watermark is the lowest frontier over the shards that can still produce records: every tracked shard
/// whose parent is not tracked (a child waiting for its parent is covered by the parent's frontier, and takes it over
/// when the parent finishes). Until every source has tracked its shards it is <see cref="long.MinValue"/>.</para>
/// <para>Invariants, checked by <see cref="AssertInvariants"/> under <see cref="_lock"/>:</para>
/// <list type="bullet">
/// <item>A record's effective value is at least every earlier value of its shard, so a shard's held records are in
/// stream order: the merge never reorders what one shard ordered (DynamoDB's per-item order), and what a shard holds is
/// the tail of what it registered, which a stopping shard withdraws so its checkpoint reaches what was released.</item>
/// <item>The watermark never goes back, and nothing above it is released.</item>
/// <item>Once a stopping shard withdraws what it holds, nothing at or above the lowest value it withdrew is released:
/// the withdrawn records are read again by the next round, and must not follow a later record of their key.</item>
/// <item>The shard at the lowest frontier holds nothing above the watermark, so it always has room to read: the
/// per-shard bound on records in flight (which counts held records) pauses shards that run ahead, never that one.</item>
/// </list>
/// Decisions are made under the lock; one release loop calls the sink outside it, so the sink gets records in release
/// order, and per key the sink keeps the order it was given.
/// </remarks>
internal sealed partial class MergeStage : IAsyncDisposable
{
    private readonly HeldLease _group;
    private readonly OrderingOptions _options;
    private readonly int _sourceCount;
    private readonly KinesisSink _sink;
    private readonly KinesisSink? _deadLetterSink;
    private readonly int _maxRecordBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BridgeMetrics _metrics;
    private readonly Lock _lock = new();
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _releaser;

    /// <summary>Tracked shards by lease key. Guarded by <see cref="_lock"/>.</summary>
    private readonly Dictionary<string, ShardFrontier> _frontiers = new(StringComparer.Ordinal);

    /// <summary>Sources that have tracked their shards; the watermark waits for all. Guarded by <see cref="_lock"/>.</summary>
    private readonly HashSet<string> _readySources = new(StringComparer.Ordinal);

    /// <summary>Shards with held records, by their oldest held record's (effective value, arrival). Guarded by <see cref="_lock"/>.</summary>
    private readonly PriorityQueue<ShardFrontier, (long Value, long Arrival)> _heads = new();

    /// <summary>Per partition key, the highest order value released: what a later record of the key is late against.
    /// Entries below <c>watermark − horizon</c> are pruned. Release loop only.</summary>
    private readonly Dictionary<string, long> _lastReleased = new(StringComparer.Ordinal);

    private readonly long _lateHorizon;

    /// <summary>Lowest order value that may still arrive on time; <see cref="long.MinValue"/> until known. Guarded by <see cref="_lock"/>.</summary>
    private long _watermark = long.MinValue;

    /// <summary>The lowest effective value a stopping shard withdrew; nothing at or above it is released any more in this
    /// round. Guarded by <see cref="_lock"/>.</summary>
    /// <remarks>A withdrawn record is read again by the next round, from its shard's checkpoint. Were another shard's
    /// later record of the same key released meanwhile (the other shard still draining, the watermark still moving on
    /// the withdrawn shard's frontier), the re-read record would go out after it.</remarks>
    private long _withdrawnFrom = long.MaxValue;

    private long _arrivals;
    private int _heldCount;
    private long _prunedAt = long.MinValue;

    /// <param name="group">The merge group's lease this stage works under; the stage ends with it.</param>
    public MergeStage(HeldLease group, OrderingOptions options, int sourceCount, KinesisSink sink, KinesisSink? deadLetterSink, int maxRecordBytes, TimeProvider time, ILogger<MergeStage> logger, BridgeMetrics metrics)
    {
        _group = group;
        _options = options;
        _sourceCount = sourceCount;
        _sink = sink;
        _deadLetterSink = deadLetterSink;
        _maxRecordBytes = maxRecordBytes;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _lateHorizon = (long)Math.Max(LateHorizon.TotalMilliseconds, 10 * options.Lateness.TotalMilliseconds);
        metrics.ObserveMerge(this);
        _releaser = Task.Run(() => ReleaseLoopAsync(_abort.Token), CancellationToken.None);
    }

    /// <summary>How long a key's last released value is remembered behind the watermark. A record of a forgotten key
    /// that is older than this behind the watermark is counted late without knowing what was released for its key.</summary>
    public static readonly TimeSpan LateHorizon = TimeSpan.FromMinutes(10);

    /// <summary>Faults if the release loop failed (the sink's own fatal error); the engine stops on it.</summary>
    public Task Completion => _releaser;

    /// <summary>The watermark in epoch milliseconds, or null before every source has tracked its shards and each has read.</summary>
    public long? Watermark
    {
        get
        {
            lock (_lock)
            {
                return _watermark == long.MinValue ? null : _watermark;
            }
        }
    }

    public int HeldRecords
    {
        get
        {
            lock (_lock)
            {
                return _heldCount;
            }
        }
    }

    /// <summary>The shards whose frontier is the watermark now: the ones an operator should look at when it lags.</summary>
    public IReadOnlyList<SourceShard> HoldingBack()
    {
        lock (_lock)
        {
            var counted = Counted().ToList();
            if (counted.Count == 0 || _readySources.Count < _sourceCount)
            {
                return [.. counted.Select(f => f.Shard)];
            }

            var min = counted.Min(f => f.Value);
            return [.. counted.Where(f => f.Value == min).Select(f => f.Shard)];
        }
    }

    /// <summary>Tracks a shard that can produce records (open, or a child that will start when its parent ends); idempotent.</summary>
    public void Track(SourceShard shard, string? parentShardId)
    {
        lock (_lock)
        {
            TrackLocked(shard, parentShardId);
        }
    }

    /// <summary>The source has tracked every shard it knows: the watermark may count it.</summary>
    public void SourceReady(string streamArn)
    {
        lock (_lock)
        {
            _readySources.Add(streamArn);
        }

        _wake.Set();
    }

    /// <summary>The shard is finished (every record forwarded and checkpointed). Its children, once tracked, take its
    /// frontier over; until one is, it stays as a floor of the watermark, so a child found late loses nothing.</summary>
    public void Finish(SourceShard shard)
    {
        lock (_lock)
        {
            var key = Lease.KeyOf(shard.StreamArn, shard.ShardId);
            if (!_frontiers.TryGetValue(key, out var finished))
            {
                return;
            }

            Debug.Assert(finished.Held.Count == 0, "a shard finishes only after everything it read was acknowledged");
            var children = _frontiers.Values.Where(f => f.ParentKey == key).ToList();
            if (children.Count == 0)
            {
                return;
            }

            foreach (var child in children)
            {
                child.Value = Math.Max(child.Value, finished.Value);
            }

            _frontiers.Remove(key);
            AssertInvariants();
        }

        _wake.Set();
    }

    /// <summary>Cancelled when the round ends by a loss (of the group, or of any merged shard): every shard's progress
    /// of the round is abandoned with it, and what the sink has not sent yet is dropped.</summary>
    public CancellationToken RoundLost => _group.Lost;

    /// <summary>A merged shard's lease was lost: the group is given up, so the round ends and the next starts afresh.
    /// The shard cannot simply be read again in this round: the watermark is already past records it would re-read,
    /// which would then count as late. Called before the shard's own progress is abandoned: once the sink drops one
    /// shard's record of a key, it must not send another shard's later record of that key.</summary>
    public void OnShardLost() => _group.MarkLost();

    /// <summary>A consumer starts on the shard: its way into the merge.</summary>
    public MergeInlet Attach(SourceShard shard, string? parentShardId, OrderValueSelector orderBy, ItemOrderGate? gate = null)
    {
        lock (_lock)
        {
            return new MergeInlet(this, TrackLocked(shard, parentShardId), orderBy, gate);
        }
    }

    internal void Hold(ShardFrontier frontier, OutboundRecord record, KinesisSink? destination, long? orderValue, ItemOrderGate? gate = null)
    {
        lock (_lock)
        {
            AssertInvariants();
            var effective = Math.Max(frontier.Value, orderValue ?? frontier.Value);
            frontier.Value = effective;
            var held = new HeldRecord(record, destination, effective, orderValue ?? effective, _arrivals++, gate);
            frontier.Held.Enqueue(held);
            _heldCount++;
            if (!frontier.Queued)
            {
                _heads.Enqueue(frontier, (held.Effective, held.Arrival));
                frontier.Queued = true;
            }
        }

        _wake.Set();
    }

    internal void OnCaughtUp(ShardFrontier frontier, DateTimeOffset readStartedAt)
    {
        var tip = (readStartedAt - _options.Lateness).ToUnixTimeMilliseconds();
        lock (_lock)
        {
            if (tip <= frontier.Value)
            {
                return;
            }

            frontier.Value = tip;
        }

        _wake.Set();
    }

    internal void Withdraw(ShardFrontier frontier)
    {
        OutboundRecord first;
        lock (_lock)
        {
            if (frontier.Held.Count == 0)
            {
                return;
            }

            var head = frontier.Held.Peek();
            first = head.Record;
            _withdrawnFrom = Math.Min(_withdrawnFrom, head.Effective);
            _heldCount -= frontier.Held.Count;
            frontier.Held.Clear();
        }

        first.Progress.Withdraw(first.Ticket);
    }

    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync().ConfigureAwait(false);
        await _releaser.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _abort.Dispose();
        _metrics.ForgetMerge(this);
    }

    private ShardFrontier TrackLocked(SourceShard shard, string? parentShardId)
    {
        var key = Lease.KeyOf(shard.StreamArn, shard.ShardId);
        if (_frontiers.TryGetValue(key, out var frontier))
        {
            return frontier;
        }

        var parentKey = parentShardId is null ? null : Lease.KeyOf(shard.StreamArn, parentShardId);
        frontier = new ShardFrontier(shard, key, parentKey);
        if (parentKey is not null && _frontiers.TryGetValue(parentKey, out var parent))
        {
            frontier.Value = parent.Value;
        }

        _frontiers.Add(key, frontier);
        return frontier;
    }

    /// <summary>The shards the watermark is the minimum of. Caller holds the lock.</summary>
    private IEnumerable<ShardFrontier> Counted() =>
        _frontiers.Values.Where(f => f.ParentKey is not { } parent || !_frontiers.ContainsKey(parent));

    private async Task ReleaseLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
                var (released, watermark) = TakeReleasable();
                foreach (var held in released)
                {
                    await ReleaseAsync(held, watermark, cancellationToken).ConfigureAwait(false);
                }

                Prune(watermark);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed: what is still held was withdrawn by its shard, or is re-read by the next owner.
        }
    }

    /// <summary>Moves the watermark on and takes every held record at or below it, in (effective value, arrival) order.</summary>
    private (List<HeldRecord> Released, long Watermark) TakeReleasable()
    {
        lock (_lock)
        {
            AssertInvariants();
            if (_readySources.Count == _sourceCount && _frontiers.Count > 0)
            {
                _watermark = Math.Max(_watermark, Counted().Min(f => f.Value));
            }

            var released = new List<HeldRecord>();
            while (_heads.TryPeek(out var frontier, out _))
            {
                if (frontier.Held.Count == 0)
                {
                    // Withdrawn since it was queued.
                    _heads.Dequeue();
                    frontier.Queued = false;
                    continue;
                }

                var head = frontier.Held.Peek();
                if (head.Effective > _watermark || head.Effective >= _withdrawnFrom)
                {
                    break;
                }

                _heads.Dequeue();
                frontier.Held.Dequeue();
                _heldCount--;
                released.Add(head);
                if (frontier.Held.TryPeek(out var next))
                {
                    _heads.Enqueue(frontier, (next.Effective, next.Arrival));
                }
                else
                {
                    frontier.Queued = false;
                }
            }

            return (released, _watermark);
        }
    }

    private async ValueTask ReleaseAsync(HeldRecord held, long watermark, CancellationToken cancellationToken)
    {
        var record = held.Record;
        if (record.Progress.IsAbandoned)
        {
            // The shard's lease was lost: its next owner reads and sends the record again, in order.
            return;
        }

        if (held.Destination is null)
        {
            record.Progress.Acknowledge(record.Ticket);
            return;
        }

        if (held.Destination != _sink)
        {
            // A dead letter: never late, it only keeps its shard's turn.
            await held.Destination.AppendRegisteredAsync(record, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!_lastReleased.TryGetValue(record.PartitionKey, out var last))
        {
            last = watermark == long.MinValue ? long.MinValue : watermark - _lateHorizon;
        }

        var isLate = held.Raw < last;
        if (!isLate)
        {
            _lastReleased[record.PartitionKey] = held.Raw;
        }
        else
        {
            var action = _options.OnLate;
            _metrics.LateRecord(record.Source, action.ToString());
            LogLate(record.Source.TableName, record.Source.ShardId, record.Sequence.Value, record.PartitionKey, held.Raw, last, action.ToString());
            if (action == LateRecordAction.DeadLetter && _deadLetterSink is not null)
            {
                var message = $"Order value {held.Raw} is below {last}, already released for partition key '{record.PartitionKey}' (Bridge:Ordering:Lateness {_options.Lateness}).";
                var envelope = DeadLetterEnvelope.Wrap(record.Source, record.Sequence.Value, "Late", message, record.PartitionKey, record.Data.ToArray(), _maxRecordBytes - record.Source.ShardId.Length);
                var letter = new OutboundRecord(record.Source, record.Sequence, record.Source.ShardId, envelope, record.CreatedAt, record.Progress) { Ticket = record.Ticket };
                await _deadLetterSink.AppendRegisteredAsync(letter, cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        // A late record forwarded too: late for its partition key is not older than its item's snapshot (a REMOVE carries
        // its old image's value, often far behind its key's last release).
        if (held.Gate is { IsOpen: true } gate && record.Item is { } item)
        {
            await PassGateAsync(gate, item, held, cancellationToken).ConfigureAwait(false);
            return;
        }

        await _sink.AppendRegisteredAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An on-demand backfill runs: the record goes through its source's gate, where snapshot records meet it.</summary>
    private async ValueTask PassGateAsync(ItemOrderGate gate, GatedItem item, HeldRecord held, CancellationToken cancellationToken)
    {
        var record = held.Record;
        if (!await gate.TrySendAsync(item, held.Raw, isSnapshot: false, () => _sink.AppendRegisteredAsync(record, cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            // A newer snapshot of its item is in Kinesis already: sending it would take the item back.
            _metrics.Filtered(record.Source, FilterVerdict.OlderThanSnapshot);
            record.Progress.Acknowledge(record.Ticket);
        }
    }

    /// <summary>Forgets keys whose last release is far behind the watermark, so memory follows recent keys, not all keys.</summary>
    private void Prune(long watermark)
    {
        // _prunedAt starts at long.MinValue, where the subtraction would overflow: the first known watermark prunes.
        if (watermark == long.MinValue || (_prunedAt != long.MinValue && watermark - _prunedAt < _lateHorizon / 2))
        {
            return;
        }

        var floor = watermark - _lateHorizon;
        foreach (var (key, value) in _lastReleased)
        {
            if (value < floor)
            {
                _lastReleased.Remove(key);
            }
        }

        _prunedAt = watermark;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_heldCount == _frontiers.Values.Sum(f => f.Held.Count), "every held record is counted once");
        Debug.Assert(_frontiers.Values.All(f => f.Held.Count == 0 || f.Queued), "a shard holding records is in the heap");
        Debug.Assert(_frontiers.Values.All(f => f.Held.Count == 0 || f.Held.Peek().Effective <= f.Value), "nothing held is above its shard's frontier");
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Late record of {Table}/{ShardId} at sequence {SequenceNumber}: partition key {PartitionKey} order value {OrderValue} is below {Released} already released for the key; action {Action}")]
    private partial void LogLate(string table, string shardId, string sequenceNumber, string partitionKey, long orderValue, long released, string action);
}
