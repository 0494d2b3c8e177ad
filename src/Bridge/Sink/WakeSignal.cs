namespace Bridge.Sink;

/// <summary>An auto-reset signal for one waiting loop: any number of <see cref="Set"/> calls wake the next wait once.</summary>
internal sealed class WakeSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already set: the loop will look at everything when it wakes.
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken) => _semaphore.WaitAsync(cancellationToken);
}
