namespace Bridge.Backfill;

/// <summary>This worker's hold on one scan segment: its writes, one at a time, each fenced on the counter it last wrote.</summary>
/// <remarks>The scanner checkpoints after pages and a timer renews in between (a page may wait long on the read budget or
/// a slow target); both go through here so they never race each other's counter. Once a write's condition fails the
/// segment is lost for good: another worker took it, and <see cref="Lost"/> stops this worker's scan of it.</remarks>
internal sealed class SegmentHold(IBackfillStore store, ScanSegment taken) : IDisposable
{
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly CancellationTokenSource _lost = new();

    /// <summary>The segment as this worker last wrote it; written only under <see cref="_writing"/>.</summary>
    private ScanSegment _current = taken;

    public ScanSegment Current => Volatile.Read(ref _current);

    public CancellationToken Lost => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    /// <summary>Stores how far the segment got; false when the segment is lost.</summary>
    public async Task<bool> CheckpointAsync(string? resumeKey, bool done, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsLost)
            {
                return false;
            }

            var written = await store.TryCheckpointAsync(_current, resumeKey, done, cancellationToken).ConfigureAwait(false);
            if (written is null)
            {
                await _lost.CancelAsync().ConfigureAwait(false);
                return false;
            }

            Volatile.Write(ref _current, written);
            return true;
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>A heartbeat: the same resume key, a new counter.</summary>
    public Task<bool> RenewAsync(CancellationToken cancellationToken) => CheckpointAsync(Current.ResumeKey, Current.IsDone, cancellationToken);

    /// <summary>Gives the segment up (after a stop), so another worker continues from its checkpoint without waiting for expiry.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsLost && !_current.IsDone)
            {
                await store.TryReleaseAsync(_current, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Dispose()
    {
        _writing.Dispose();
        _lost.Dispose();
    }
}
