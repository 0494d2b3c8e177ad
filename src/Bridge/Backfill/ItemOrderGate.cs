using System.Runtime.InteropServices;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Ordering;

namespace Bridge.Backfill;

/// <summary>Merge mode with <c>OrderBy</c>, while an on-demand backfill runs in the worker that holds the merge group: the
/// one door through which both the run's snapshot records and the source's released stream records reach the sink, so
/// that no item's state goes back in Kinesis.</summary>
/// <remarks>
/// <para>Per item it keeps the highest order value sent (a <c>REMOVE</c> ranking just after the state it deletes, whose
/// value it carries: a snapshot of that state, read before the delete, is older). A record (snapshot or change) below it carries an older state
/// than one the consumer already has, and is not sent; any other record raises it and is appended to the sink before the
/// next record is checked (<see cref="TrySendAsync"/> lets one record through at a time), so for each item the sink gets
/// non-decreasing order values, and keeps them in that order per partition key. Both directions matter: the scan may
/// read an item just before a change to it is released (the change is newer: the snapshot waits its turn and goes first),
/// or just after (the change went first: the older snapshot is not sent); and a change the merge stage still holds may be
/// older than a snapshot sent meanwhile (it is not sent).</para>
/// <para>Memory follows time, not the table: entries live in generations of <see cref="GenerationSpan"/>. A generation
/// sealed at <c>s</c> is dropped once the merge watermark passes <c>s + hold</c> (<c>Lateness</c> plus a margin) and no
/// scan page read before <c>s</c> is still going through the gate. By then every stream record written before <c>s</c>
/// was released (so none older than a snapshot read before <c>s</c> is still to come), and every snapshot read before a
/// change released before <c>s</c> went through already. Order values are epoch milliseconds (the writer's clock), the
/// same assumption as the snapshot floor's release.</para>
/// <para>Closed, it costs a volatile read per record. Thread-safe: the dictionaries are guarded by <see cref="_lock"/>,
/// held only for dictionary operations; <see cref="_turn"/> orders check-and-append across the merge stage's release loop
/// and the scanners.</para>
/// </remarks>
/// <param name="hold">How far past a generation's sealing the watermark must be before it is dropped.</param>
/// <param name="roundLost">The merge round's loss: what went through the gate and is still unsent is then dropped by the
/// sink, as the round's stream records are, because the next holder of the merge group sends it again, in order.</param>
internal sealed class ItemOrderGate(OrderValueSelector orderBy, TimeSpan hold, TimeProvider time, CancellationToken roundLost = default) : IOrderFloor
{
    /// <summary>How long a generation takes entries before it is sealed.</summary>
    public static readonly TimeSpan GenerationSpan = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Sealed generations (item → highest rank sent), oldest first, with when each was sealed (epoch ms). Guarded by <see cref="_lock"/>.</summary>
    private readonly Queue<(Dictionary<ItemHash, long> Items, long SealedAt)> _sealed = new();

    /// <summary>Read times (epoch ms) of the scan pages going through the gate now, with how many. Guarded by <see cref="_lock"/>.</summary>
    private readonly SortedDictionary<long, int> _pagesInFlight = [];

    /// <summary>Guarded by <see cref="_lock"/>.</summary>
    private Dictionary<ItemHash, long> _current = [];

    /// <summary>Guarded by <see cref="_lock"/>.</summary>
    private long _currentOpenedAt = time.GetUtcNow().ToUnixTimeMilliseconds();

    private bool _open;
    private long _suppressedChanges;
    private long _suppressedSnapshots;

    public OrderValueSelector OrderBy => orderBy;

    /// <summary>Cancelled when the merge round this gate belongs to is lost.</summary>
    public CancellationToken RoundLost => roundLost;

    /// <summary>Whether records go through the gate: from before a run's first page until its release.</summary>
    public bool IsOpen => Volatile.Read(ref _open);

    /// <summary>Stream records not sent because a newer snapshot of their item was.</summary>
    public long SuppressedChanges => Interlocked.Read(ref _suppressedChanges);

    /// <summary>Snapshot records not sent because a newer change of their item was.</summary>
    public long SuppressedSnapshots => Interlocked.Read(ref _suppressedSnapshots);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _current.Count + _sealed.Sum(g => g.Items.Count);
            }
        }
    }

    /// <summary>Records go through the gate from now on. Call before the run's first page is read.</summary>
    public void Open() => Volatile.Write(ref _open, true);

    /// <summary>No run needs the gate any more: records go straight to the sink, and the memory is freed.</summary>
    public void Close()
    {
        Volatile.Write(ref _open, false);
        lock (_lock)
        {
            _current = [];
            _sealed.Clear();
        }
    }

    /// <summary>Sends <paramref name="append"/>'s record unless its item already went out with a higher order value.</summary>
    /// <param name="isSnapshot">Counts what is not sent as a snapshot (else as a change).</param>
    /// <returns>False when the record is older than its item's newest state sent: nothing was appended.</returns>
    public async ValueTask<bool> TrySendAsync(GatedItem item, long orderValue, bool isSnapshot, Func<ValueTask> append, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!TryRaise(item, orderValue))
            {
                Interlocked.Increment(ref isSnapshot ? ref _suppressedSnapshots : ref _suppressedChanges);
                return false;
            }

            await append().ConfigureAwait(false);
            return true;
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>A rebuild from the stream after a crash: the record's item is raised to its order value.</summary>
    public bool TryRaise(in StreamRecord record, out string? problem)
    {
        if (!orderBy.TrySelect(record, out var value, out problem))
        {
            return false;
        }

        if (!GatedItem.TryRead(record, out var item))
        {
            problem = "The record has no readable dynamodb.Keys.";
            return false;
        }

        TryRaise(item, value);
        return true;
    }

    /// <summary>A scan page read at <paramref name="readAt"/> starts through the gate; dispose when its last item went through.</summary>
    public PageInFlight PageRead(DateTimeOffset readAt)
    {
        var at = readAt.ToUnixTimeMilliseconds();
        lock (_lock)
        {
            _pagesInFlight[at] = _pagesInFlight.GetValueOrDefault(at) + 1;
        }

        return new PageInFlight(this, at);
    }

    /// <summary>Seals the current generation when it is old enough, and drops the sealed ones nothing can need any more.</summary>
    /// <param name="watermark">The merge watermark, epoch ms.</param>
    public void Evict(long watermark)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (now - _currentOpenedAt >= (long)GenerationSpan.TotalMilliseconds)
            {
                _sealed.Enqueue((_current, now));
                _current = [];
                _currentOpenedAt = now;
            }

            var oldestPage = _pagesInFlight.Count == 0 ? long.MaxValue : _pagesInFlight.Keys.First();
            while (_sealed.TryPeek(out var generation)
                && generation.SealedAt + (long)hold.TotalMilliseconds < watermark
                && generation.SealedAt < oldestPage)
            {
                _sealed.Dequeue();
            }
        }
    }

    /// <returns>False when the record ranks below the item's highest.</returns>
    private bool TryRaise(GatedItem record, long orderValue)
    {
        // Halved so the doubling cannot overflow: an epoch-millisecond value is far inside it.
        var rank = (Math.Clamp(orderValue, long.MinValue / 2, long.MaxValue / 2) * 2) + (record.Removes ? 1 : 0);
        var item = new ItemHash(record.Key);
        lock (_lock)
        {
            foreach (var (items, _) in _sealed)
            {
                if (items.TryGetValue(item, out var sent) && rank < sent)
                {
                    return false;
                }
            }

            ref var highest = ref CollectionsMarshal.GetValueRefOrAddDefault(_current, item, out var existed);
            if (existed && rank < highest)
            {
                return false;
            }

            highest = rank;
            return true;
        }
    }

    private void PageDone(long readAt)
    {
        lock (_lock)
        {
            if (--_pagesInFlight[readAt] == 0)
            {
                _pagesInFlight.Remove(readAt);
            }
        }
    }

    /// <summary>A scan page between its read and its last item's turn at the gate.</summary>
    public readonly struct PageInFlight(ItemOrderGate gate, long readAt) : IDisposable
    {
        public void Dispose() => gate.PageDone(readAt);
    }
}
