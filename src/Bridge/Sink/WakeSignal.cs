namespace Bridge.Sink;

/// <summary>An auto-reset signal for one waiting loop: any number of <see cref="Set"/> calls wake the next wait once.</summary>
/// <remarks><see cref="Set"/> runs once per record on the hot path, so it must be cheap when the signal is already set:
/// a flag decides, and only the call that raises it touches the semaphore (a full semaphore's Release throws, and a
/// throw per record cost more than the record). The waiter lowers the flag as it wakes, before it looks at the state,
/// so a change made after that look raises the flag again and wakes it once more.</remarks>
internal sealed class WakeSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    /// <summary>1 while a wake-up is pending (the semaphore released and not yet taken by the waiter).</summary>
    private int _pending;

    public void Set()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _semaphore.Release();
        }
    }

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _pending, 0);
    }
}
