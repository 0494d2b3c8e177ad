using System.Diagnostics;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Source;

namespace Bridge.Coordination;

/// <summary>Which records of one source shard Kinesis has acknowledged, and so how far it may be checkpointed.</summary>
/// <remarks>
/// Records are registered in stream order by the shard's single consumer and acknowledged in any order by
/// the sink. <see cref="AckedThrough"/> is the highest sequence number such that it and every earlier
/// registered record are acknowledged: the only value a checkpoint may take, so a crash loses nothing.
/// </remarks>
/// <param name="abandonedWith">Merge mode: the round's group lease. Once it is lost every shard of the round is abandoned
/// at the same instant, so the sink cannot send one shard's record of a key after dropping another shard's earlier one.</param>
public sealed class ShardProgress(int maxPendingRecords, long maxPendingBytes, CancellationToken abandonedWith = default)
{
    private readonly Lock _lock = new();

    /// <summary>Registered records not yet acknowledged: what reading waits on (see <see cref="WaitForRoomAsync"/>).</summary>
    private int _unacked;

    /// <summary>Bytes of the records not yet folded into <see cref="_ackedThrough"/>, acknowledged or not: reading waits on
    /// these too. A record's data is a slice of the GetRecords answer it came in, so an answer stays in memory until its
    /// last record is acknowledged; counting a record until every older one is acknowledged too bounds that memory
    /// (to within one answer), where counting only unacknowledged records would not.</summary>
    private long _retainedBytes;

    /// <summary>Set while the consumer waits for room; completed by the acknowledgement that makes room.</summary>
    private TaskCompletionSource? _roomSignal;

    /// <summary>Ring of registered records not yet folded into <see cref="_ackedThrough"/>, oldest at <see cref="_head"/>;
    /// acknowledged ones wait here until every older one is.</summary>
    private Entry[] _ring = new Entry[64];

    private int _head;

    private int _count;

    /// <summary>Ticket of the entry at <see cref="_head"/>; tickets are consecutive, so ticket t sits t - _headTicket slots after the head.</summary>
    private long _headTicket;

    /// <summary>Highest contiguously acknowledged sequence number; empty until the first one.</summary>
    private SequenceNumber _ackedThrough;

    /// <summary>Last registered sequence number, to refuse registrations out of stream order.</summary>
    private SequenceNumber _lastRegistered;

    /// <summary>Completed whenever the ring is empty; replaced when a record is registered into an empty ring.</summary>
    private TaskCompletionSource _drained = NewSignal(completed: true);

    public SequenceNumber AckedThrough
    {
        get
        {
            lock (_lock)
            {
                return _ackedThrough;
            }
        }
    }

    /// <summary>Records folded into <see cref="AckedThrough"/> so far.</summary>
    public long AcknowledgedCount
    {
        get
        {
            lock (_lock)
            {
                return _headTicket;
            }
        }
    }

    /// <summary>Records registered and not yet contiguously acknowledged.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Set once the shard's lease (or, merged, the round) is lost: the sink drops this shard's records it has
    /// not sent yet. Never reset.</summary>
    public bool IsAbandoned => Volatile.Read(ref _abandoned) || abandonedWith.IsCancellationRequested;

    private bool _abandoned;

    /// <summary>The shard's lease is lost: nothing more of this progress is acknowledged or checkpointed.</summary>
    public void Abandon() => Volatile.Write(ref _abandoned, true);

    /// <summary>Waits while the shard has its cap of records or bytes read and not yet acknowledged.</summary>
    /// <remarks>Only the shard's one consumer registers, so nothing can take the room between this check and its <see cref="Register"/>.</remarks>
    public async ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (HasRoom())
                {
                    return;
                }

                _roomSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _roomSignal.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Registers the next record of the shard; sequence numbers must increase.</summary>
    /// <returns>The ticket to acknowledge it with.</returns>
    public long Register(SequenceNumber sequence, int bytes)
    {
        lock (_lock)
        {
            AssertInvariants();
            if (!_lastRegistered.IsEmpty && sequence <= _lastRegistered)
            {
                throw new InvalidOperationException($"Sequence {sequence} registered after {_lastRegistered}: out of stream order.");
            }

            if (_count == 0)
            {
                _drained = NewSignal(completed: false);
            }

            if (_count == _ring.Length)
            {
                Grow();
            }

            _ring[(_head + _count) % _ring.Length] = new Entry(sequence, bytes, Acked: false);
            _count++;
            _lastRegistered = sequence;
            _unacked++;
            _retainedBytes += bytes;
            return _headTicket + _count - 1;
        }
    }

    /// <summary>Marks a record acknowledged by Kinesis (or deliberately passed: skipped or dead-lettered).</summary>
    public void Acknowledge(long ticket)
    {
        TaskCompletionSource? drained = null;
        TaskCompletionSource? room = null;
        lock (_lock)
        {
            AssertInvariants();
            var offset = ticket - _headTicket;
            if (offset < 0 || offset >= _count)
            {
                throw new InvalidOperationException($"Ticket {ticket} is not pending (head {_headTicket}, {_count} pending).");
            }

            ref var entry = ref _ring[(_head + (int)offset) % _ring.Length];
            if (entry.Acked)
            {
                throw new InvalidOperationException($"Ticket {ticket} acknowledged twice.");
            }

            entry = entry with { Acked = true };
            _unacked--;
            while (_count > 0 && _ring[_head].Acked)
            {
                var head = _ring[_head];
                _ring[_head] = default;
                _head = (_head + 1) % _ring.Length;
                _count--;
                _headTicket++;
                _ackedThrough = head.Sequence;
                _retainedBytes -= head.Bytes;
            }

            if (_roomSignal is not null && HasRoom())
            {
                (room, _roomSignal) = (_roomSignal, null);
            }

            if (_count == 0)
            {
                drained = _drained;
            }
        }

        // Completed outside the lock: an awaiting consumer may continue and register again.
        drained?.TrySetResult();
        room?.TrySetResult();
    }

    /// <summary>Takes back the registrations from <paramref name="ticket"/> on, none of them acknowledged: records the
    /// merge stage still held, never sent, when the shard stops. The drain then waits only for what was sent, the
    /// checkpoint can reach the last record before them, and the next owner reads them again.</summary>
    public void Withdraw(long ticket)
    {
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            AssertInvariants();
            var keep = ticket - _headTicket;
            if (keep < 0 || keep > _count)
            {
                throw new InvalidOperationException($"Ticket {ticket} is not pending (head {_headTicket}, {_count} pending).");
            }

            for (var i = (int)keep; i < _count; i++)
            {
                ref var entry = ref _ring[(_head + i) % _ring.Length];
                if (entry.Acked)
                {
                    throw new InvalidOperationException($"Ticket {_headTicket + i} was acknowledged; only unsent records can be withdrawn.");
                }

                _unacked--;
                _retainedBytes -= entry.Bytes;
                entry = default;
            }

            _count = (int)keep;
            _lastRegistered = _count > 0 ? _ring[(_head + _count - 1) % _ring.Length].Sequence : _ackedThrough;
            if (_count == 0)
            {
                drained = _drained;
            }
        }

        drained?.TrySetResult();
    }

    /// <summary>Completes when every registered record is acknowledged.</summary>
    public Task WhenDrainedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _drained.Task.WaitAsync(cancellationToken);
        }
    }

    private bool HasRoom() => _unacked < maxPendingRecords && _retainedBytes < maxPendingBytes;

    private void Grow()
    {
        var bigger = new Entry[_ring.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            bigger[i] = _ring[(_head + i) % _ring.Length];
        }

        _ring = bigger;
        _head = 0;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_count >= 0 && _count <= _ring.Length, "the ring holds the pending entries");
        Debug.Assert(_count == 0 || !_ring[_head].Acked, "an acknowledged head is always folded into _ackedThrough");
        Debug.Assert(_count > 0 || _drained.Task.IsCompleted, "an empty ring is drained");
    }

    private static TaskCompletionSource NewSignal(bool completed)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            signal.SetResult();
        }

        return signal;
    }

    private record struct Entry(SequenceNumber Sequence, int Bytes, bool Acked);
}
