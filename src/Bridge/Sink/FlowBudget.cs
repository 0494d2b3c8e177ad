using System.Diagnostics;

namespace Bridge.Sink;

/// <summary>A cap on records and bytes in flight; reading waits here while the writer is behind.</summary>
/// <remarks>
/// Waiters are served first come, first served so a large record cannot starve behind a stream of small
/// ones. A request larger than the whole cap is admitted when nothing else is in flight, so an
/// oversize-but-legal record still moves instead of deadlocking.
/// </remarks>
public sealed class FlowBudget(int maxRecords, long maxBytes)
{
    private readonly Lock _lock = new();

    /// <summary>Waiters in arrival order; each completes once its records and bytes fit.</summary>
    private readonly Queue<Waiter> _waiters = new();

    private int _records;

    private long _bytes;

    public int Records
    {
        get
        {
            lock (_lock)
            {
                return _records;
            }
        }
    }

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public ValueTask AcquireAsync(int records, long bytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_lock)
        {
            DropCancelledHeads();
            if (_waiters.Count == 0 && Fits(records, bytes))
            {
                _records += records;
                _bytes += bytes;
                return ValueTask.CompletedTask;
            }

            waiter = new Waiter(records, bytes);
            _waiters.Enqueue(waiter);
        }

        return new ValueTask(WaitAsync(waiter, cancellationToken));
    }

    public void Release(int records, long bytes)
    {
        lock (_lock)
        {
            _records -= records;
            _bytes -= bytes;
            Debug.Assert(_records >= 0 && _bytes >= 0, "released more than acquired");
        }

        Admit();
    }

    /// <summary>Admits waiters from the head of the queue while they fit.</summary>
    private void Admit()
    {
        List<Waiter>? admitted = null;
        lock (_lock)
        {
            DropCancelledHeads();
            while (_waiters.TryPeek(out var next) && Fits(next.Records, next.Bytes))
            {
                _waiters.Dequeue();
                _records += next.Records;
                _bytes += next.Bytes;
                (admitted ??= []).Add(next);
                DropCancelledHeads();
            }
        }

        // Completed outside the lock: continuations may re-enter AcquireAsync.
        foreach (var waiter in admitted ?? [])
        {
            if (!waiter.Signal.TrySetResult())
            {
                // Cancelled between the decision and now: give its share back.
                Release(waiter.Records, waiter.Bytes);
            }
        }
    }

    private void DropCancelledHeads()
    {
        while (_waiters.TryPeek(out var head) && head.Signal.Task.IsCompleted)
        {
            _waiters.Dequeue();
        }
    }

    private async Task WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        await using (cancellationToken.Register(() =>
        {
            // A cancelled head must not hold back the waiters behind it.
            if (waiter.Signal.TrySetCanceled(cancellationToken))
            {
                Admit();
            }
        }).ConfigureAwait(false))
        {
            await waiter.Signal.Task.ConfigureAwait(false);
        }
    }

    private bool Fits(int records, long bytes) =>
        (_records == 0 && _bytes == 0) || (_records + records <= maxRecords && _bytes + bytes <= maxBytes);

    private sealed record Waiter(int Records, long Bytes)
    {
        public TaskCompletionSource Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
