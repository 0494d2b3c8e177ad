namespace Bridge.Backfill;

/// <summary>How far one worker's part of a backfill got: items and bytes scanned and acknowledged, segments done, rate and time left.</summary>
/// <remarks>Updated by the segment scanners (any thread), read by the progress log, the terminal bar and tests. The estimate
/// of what is left comes from DescribeTable's <c>ItemCount</c>/<c>TableSizeBytes</c>, which DynamoDB refreshes about every
/// six hours: near enough for an ETA, never used to decide anything.</remarks>
public sealed class BackfillProgress(BackfillRun run, long tableItemCount, long tableSizeBytes, TimeProvider time)
{
    private readonly long _startedAt = time.GetTimestamp();
    private long _items;
    private long _bytes;
    private int _segmentsDone;

    public BackfillRun Run => run;

    public long ItemsScanned => Interlocked.Read(ref _items);

    public long BytesScanned => Interlocked.Read(ref _bytes);

    /// <summary>Segments done, by any worker (including those done before this worker started).</summary>
    public int SegmentsDone => Volatile.Read(ref _segmentsDone);

    public long TableItemCount => tableItemCount;

    public long TableSizeBytes => tableSizeBytes;

    public TimeSpan Elapsed => time.GetElapsedTime(_startedAt);

    public double ItemsPerSecond => Elapsed.TotalSeconds > 0 ? ItemsScanned / Elapsed.TotalSeconds : 0;

    /// <summary>Share of the table scanned, 0 to 1, by whichever of items or bytes is further along (the table's counts lag); by segments when the table's counts are 0.</summary>
    public double Fraction
    {
        get
        {
            var byItems = tableItemCount > 0 ? (double)ItemsScanned / tableItemCount : 0;
            var byBytes = tableSizeBytes > 0 ? (double)BytesScanned / tableSizeBytes : 0;
            var bySegments = (double)SegmentsDone / run.TotalSegments;
            return Math.Clamp(Math.Max(Math.Max(byItems, byBytes), bySegments), 0, 1);
        }
    }

    /// <summary>Time left at the rate so far; null until something was scanned.</summary>
    public TimeSpan? EstimatedTimeLeft
    {
        get
        {
            var fraction = Fraction;
            return fraction is > 0 and < 1 ? Elapsed * ((1 - fraction) / fraction) : fraction >= 1 ? TimeSpan.Zero : null;
        }
    }

    /// <summary>When the scan will end at the rate so far; null until something was scanned.</summary>
    public DateTimeOffset? EstimatedEnd => EstimatedTimeLeft is { } left ? time.GetUtcNow() + left : null;

    internal void OnPage(int items, long bytes)
    {
        Interlocked.Add(ref _items, items);
        Interlocked.Add(ref _bytes, bytes);
    }

    internal void OnSegmentsDone(int done) => Volatile.Write(ref _segmentsDone, done);

    internal void OnSegmentDone() => Interlocked.Increment(ref _segmentsDone);
}
