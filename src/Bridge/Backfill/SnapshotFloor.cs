using System.Runtime.InteropServices;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Ordering;

namespace Bridge.Backfill;

/// <summary>Per item of one source, the order value of its snapshot: a stream record of the item whose order value is
/// below it carries an older state than the snapshot already sent, so it is not forwarded (Merge mode with <c>OrderBy</c>).</summary>
/// <remarks>
/// <para>Filled before the stream is read: by the scan, each item before its snapshot record is sent (so every snapshot
/// record sent has its floor), or, when this process did not scan every segment whole (a resumed run, a restart before
/// the floor was released) or the scan's floor outgrew <paramref name="maxItemsFromScan"/>, by <see cref="FloorRebuild"/>
/// from the stream records still to be forwarded: one entry per item changed in the stream, not per item of the table. A value read
/// later is the item's state then, at or above its snapshot's: it only suppresses more intermediate states, never the
/// item's last one, whose order value is the highest (the writer stamps every write later than the one before).</para>
/// <para>Memory: one dictionary entry per item (a 128-bit key hash and a 64-bit value, no object per item), freed when
/// the merge watermark has passed the scan (<see cref="Release"/>). Thread-safe: scanners fill it concurrently,
/// consumers read it concurrently; every access takes <see cref="_lock"/>, held only for a dictionary operation.</para>
/// </remarks>
/// <param name="maxItemsFromScan">Most items the scan's own fill may hold (<c>Bridge:Backfill:MaxScanFloorItems</c>).</param>
internal sealed class SnapshotFloor(OrderValueSelector orderBy, int maxItemsFromScan = int.MaxValue) : IOrderFloor
{
    private readonly Lock _lock = new();

    /// <summary>Item key → the highest order value of any read of the item (scan or rebuild); null once released.
    /// Guarded by <see cref="_lock"/>.</summary>
    private Dictionary<ItemHash, long>? _floors = [];

    /// <summary>Segments this floor holds every item of: scanned here from their start to done. Guarded by <see cref="_lock"/>.</summary>
    private readonly HashSet<int> _wholeSegments = [];

    /// <summary>The scan's fill outgrew <c>maxItemsFromScan</c> and was dropped: the floor comes from the stream. Guarded by <see cref="_lock"/>.</summary>
    private bool _scanFillDropped;

    private long _suppressed;

    public OrderValueSelector OrderBy => orderBy;

    /// <summary>Items with a floor; 0 once released.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _floors?.Count ?? 0;
            }
        }
    }

    /// <summary>Stream records not forwarded because they were older than their item's snapshot.</summary>
    public long Suppressed => Interlocked.Read(ref _suppressed);

    public bool IsReleased
    {
        get
        {
            lock (_lock)
            {
                return _floors is null;
            }
        }
    }

    /// <summary>The scan's floor outgrew <c>Bridge:Backfill:MaxScanFloorItems</c>: it is built from the stream instead.</summary>
    public bool ScanFillDropped
    {
        get
        {
            lock (_lock)
            {
                return _scanFillDropped;
            }
        }
    }

    /// <summary>Raises the floor of a stream record's item (from a rebuild) to the record's order value.</summary>
    /// <returns>False with a reason when the record has no usable order value (it is undeliverable, and raises no floor).</returns>
    public bool TryRaise(in StreamRecord record, out string? problem) => TryRaise(record, fromScan: false, out problem);

    /// <summary>Records a snapshot record's order value as its item's floor, before the record is sent. Past
    /// <c>maxItemsFromScan</c> items the scan's fill is dropped (its memory freed) and stops, and the floor is never
    /// complete: it is built from the stream after the scan.</summary>
    /// <returns>False with a reason when the record has no usable order value (it is undeliverable, and its item gets no floor).</returns>
    public bool TryRaiseFromScan(in StreamRecord snapshot, out string? problem) => TryRaise(snapshot, fromScan: true, out problem);

    private bool TryRaise(in StreamRecord record, bool fromScan, out string? problem)
    {
        if (!orderBy.TrySelect(record, out var value, out problem))
        {
            return false;
        }

        if (!ItemKey.TryRead(record.Json.Span, out var key))
        {
            problem = "The record has no readable dynamodb.Keys.";
            return false;
        }

        lock (_lock)
        {
            if (_floors is null || (fromScan && _scanFillDropped))
            {
                return true;
            }

            ref var floor = ref CollectionsMarshal.GetValueRefOrAddDefault(_floors, new ItemHash(key), out var existed);
            floor = existed ? Math.Max(floor, value) : value;
            if (fromScan && _floors.Count > maxItemsFromScan)
            {
                _floors = [];
                _scanFillDropped = true;
            }
        }

        return true;
    }

    /// <summary>Every item of <paramref name="segment"/> was scanned here (from its start to its end) and has its floor.</summary>
    public void MarkScannedWhole(int segment)
    {
        lock (_lock)
        {
            _wholeSegments.Add(segment);
        }
    }

    /// <summary>Every segment was scanned whole here, and the scan's fill was kept, so every item sent in the snapshot has its floor.</summary>
    public bool IsComplete(int totalSegments)
    {
        lock (_lock)
        {
            return !_scanFillDropped && _wholeSegments.Count == totalSegments;
        }
    }

    /// <summary>Whether a stream record of order value <paramref name="orderValue"/> carries a state older than its item's
    /// snapshot (then it is not forwarded, and counted).</summary>
    public bool IsOlderThanSnapshot(in StreamRecord record, long orderValue)
    {
        // Released: nothing more to read from the record (the check under the lock below stays the one that counts).
        if (Volatile.Read(ref _floors) is null || !ItemKey.TryRead(record.Json.Span, out var key))
        {
            return false;
        }

        bool older;
        lock (_lock)
        {
            if (_floors is null)
            {
                return false;
            }

            older = _floors.TryGetValue(new ItemHash(key), out var floor) && orderValue < floor;
        }

        if (older)
        {
            Interlocked.Increment(ref _suppressed);
        }

        return older;
    }

    /// <summary>No stream record still to come can be below a floor: the memory is freed, and nothing is suppressed any more.</summary>
    public void Release()
    {
        lock (_lock)
        {
            Volatile.Write(ref _floors, null);
        }
    }
}
