using System.Runtime.ExceptionServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Bridge.Filtering;
using Bridge.Forwarding;
using Bridge.Output;
using Bridge.Routing;
using Bridge.Sink;
using Bridge.Source;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Backfill;

/// <summary>Runs one backfill of one source table to its end, with whatever other workers share it: records the run, takes
/// segments (free ones, or ones whose holder stopped renewing), scans them, and records the run finished once every segment is.</summary>
/// <param name="floor">Merge mode with <c>OrderBy</c>, for <c>StartPosition = Snapshot</c>: every item's order value is kept
/// there before its snapshot record is sent; null otherwise.</param>
/// <param name="gate">Merge mode with <c>OrderBy</c>, for an on-demand run in the worker that holds the merge group: snapshot
/// records meet the released stream records there (<see cref="ItemOrderGate"/>); null otherwise.</param>
/// <remarks>
/// A worker scans at most <see cref="BackfillOptions.ConcurrentSegments"/> segments at a time and then waits for the others'
/// segments to finish, so that when <see cref="RunAsync"/> returns a finished run, every item of the table as it was at
/// the run's start has been acknowledged by Kinesis (by this worker or another). A holder's expiry is measured as for shard
/// leases: from when this worker last saw the segment's counter change, by its own clock.
/// </remarks>
internal sealed partial class TableBackfill(
    ResolvedSource source,
    IAmazonDynamoDB dynamoDb,
    IBackfillStore store,
    KinesisSink sink,
    KinesisSink? deadLetterSink,
    BridgeOptions options,
    TimeProvider time,
    ILoggerFactory loggers,
    BridgeMetrics metrics,
    SnapshotFloor? floor = null,
    ItemOrderGate? gate = null)
{
    private readonly ILogger _logger = loggers.CreateLogger<TableBackfill>();
    private readonly string _workerId = options.Leases.EffectiveWorkerId;

    /// <summary>Set once the run is known; null before.</summary>
    public BackfillProgress? Progress { get; private set; }

    /// <summary>Runs (or resumes, or joins) the backfill named <paramref name="runId"/>; returns the run as stored: finished, or not when <paramref name="stop"/> ended it first (drained and checkpointed).</summary>
    public async Task<BackfillRun> RunAsync(string runId, CancellationToken stop, CancellationToken drainDeadline)
    {
        var table = (await dynamoDb.DescribeTableAsync(source.TableName, stop).ConfigureAwait(false)).Table;
        var run = await store.StartRunAsync(BackfillRun.Begin(source.TableName, runId, options.Backfill.TotalSegments, time.GetUtcNow()), stop).ConfigureAwait(false);
        var progress = new BackfillProgress(run, table.ItemCount ?? 0, table.TableSizeBytes ?? 0, time);
        Progress = progress;
        metrics.ObserveBackfill(progress);
        if (run.IsFinished)
        {
            LogAlreadyFinished(run.TableName, run.RunId, run.FinishedAt!.Value);
            return run;
        }

        if (run.TotalSegments != options.Backfill.TotalSegments)
        {
            LogSegmentsKept(run.TableName, run.RunId, run.TotalSegments);
        }

        LogRunStarted(run.TableName, run.RunId, run.TotalSegments, run.ScanStartedAt, progress.TableItemCount, progress.TableSizeBytes);
        var keyAttributes = table.KeySchema.Select(k => k.AttributeName).ToList();
        var snapshot = new SnapshotRecord(run, keyAttributes, DynamoDbStreamArn.TryGetRegion(source.StreamArn, out var region) ? region : null);
        var budget = new ReadBudget(options.Backfill.ReadUnitsPerSecond, time);
        var running = new Dictionary<Task<SegmentOutcome>, SegmentHold>();

        // Per segment held elsewhere: the counter last seen and when this worker first saw it (a timestamp).
        var seen = new Dictionary<int, (long Counter, long Since)>();
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var reporting = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var reporter = ReportAsync(progress, reporting.Token);
        Exception? failure = null;
        try
        {
            while (true)
            {
                // Read once: a stop landing between two reads would leave nothing to wait for (no scanner, no poll).
                var stopping = stopAll.IsCancellationRequested;
                if (!stopping)
                {
                    try
                    {
                        var segments = await store.ListSegmentsAsync(run, stopAll.Token).ConfigureAwait(false);
                        progress.OnSegmentsDone(segments.Count(s => s.IsDone));
                        if (segments.Count == run.TotalSegments && segments.All(s => s.IsDone) && running.Count == 0)
                        {
                            run = await store.FinishRunAsync(run, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                            LogRunFinished(run.TableName, run.RunId, progress.ItemsScanned, progress.BytesScanned, progress.Elapsed.TotalSeconds);
                            if (IsSnapshot(run) && run.OutlivesStream(run.FinishedAt!.Value))
                            {
                                LogOutlivedStream(run.TableName, run.ScanStartedAt, run.FinishedAt.Value);
                            }

                            return run;
                        }

                        await TakeAsync(Takeable(segments, running.Values, seen), running, snapshot, budget, progress, stopAll.Token, drainDeadline).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (TransientFailure.Is(ex, stopAll.Token))
                    {
                        // The checkpoint table is briefly unreachable: the running segments go on, and the next poll tries again.
                        LogCycleFailed(run.TableName, run.RunId, ex.Message);
                    }
                    catch (OperationCanceledException) when (stopAll.IsCancellationRequested)
                    {
                        // Stopping: the loop waits for the running segments to drain.
                    }
                }
                else if (running.Count == 0)
                {
                    break;
                }

                // Stopping: only the scanners' drains are waited for, not the next poll.
                IEnumerable<Task> waitFor = running.Keys;
                if (!stopping)
                {
                    waitFor = waitFor.Append(Task.Delay(options.Leases.EffectiveRenewInterval, time, stopAll.Token));
                }

                var done = await Task.WhenAny(waitFor).ConfigureAwait(false);
                if (done is Task<SegmentOutcome> scanner)
                {
                    var hold = running[scanner];
                    running.Remove(scanner);
                    hold.Dispose();
                    try
                    {
                        var outcome = await scanner.ConfigureAwait(false);
                        if (outcome == SegmentOutcome.Lost)
                        {
                            LogSegmentLost(run.TableName, run.RunId, hold.Current.Segment);
                        }
                    }
                    catch (Exception ex) when (!(ex is OperationCanceledException && stopAll.IsCancellationRequested))
                    {
                        // One segment's fatal error stops the others, after they drained and checkpointed.
                        failure ??= ex;
                        await stopAll.CancelAsync().ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            await reporting.CancelAsync().ConfigureAwait(false);
            await reporter.ConfigureAwait(false);
            metrics.ForgetBackfill(progress);
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return run;
    }

    /// <summary>Takes free or abandoned segments, up to <see cref="BackfillOptions.ConcurrentSegments"/> running here, and starts scanning each.</summary>
    private async Task TakeAsync(IEnumerable<ScanSegment> takeable, Dictionary<Task<SegmentOutcome>, SegmentHold> running, SnapshotRecord snapshot, ReadBudget budget, BackfillProgress progress, CancellationToken stop, CancellationToken drainDeadline)
    {
        foreach (var segment in takeable)
        {
            if (running.Count >= options.Backfill.ConcurrentSegments)
            {
                return;
            }

            if (await store.TryTakeAsync(segment, _workerId, stop).ConfigureAwait(false) is { } taken)
            {
                var hold = new SegmentHold(store, taken);
                running.Add(Task.Run(() => NewScanner(hold, snapshot, budget, progress).RunAsync(stop, drainDeadline), CancellationToken.None), hold);
            }
        }
    }

    /// <summary>Segments this worker may take now: not done, not scanned here, and free or unrenewed for a lease duration.</summary>
    private IEnumerable<ScanSegment> Takeable(IReadOnlyList<ScanSegment> segments, IEnumerable<SegmentHold> mine, Dictionary<int, (long Counter, long Since)> seen)
    {
        var scanning = mine.Select(h => h.Current.Segment).ToHashSet();
        var now = time.GetTimestamp();
        foreach (var segment in segments)
        {
            if (segment.IsDone || scanning.Contains(segment.Segment))
            {
                continue;
            }

            if (segment.Owner is null)
            {
                yield return segment;
                continue;
            }

            if (!seen.TryGetValue(segment.Segment, out var last) || last.Counter != segment.Counter)
            {
                seen[segment.Segment] = (segment.Counter, now);
            }
            else if (time.GetElapsedTime(last.Since, now) >= options.Leases.Duration)
            {
                yield return segment;
            }
        }
    }

    private SegmentScanner NewScanner(SegmentHold hold, SnapshotRecord snapshot, ReadBudget budget, BackfillProgress progress)
    {
        var run = hold.Current.Run;
        var shard = new SourceShard(source.TableName, source.StreamArn, $"backfill-{run.RunId}-{hold.Current.Segment}");
        // The source's own shaping: a snapshot record goes out as its stream records do (format, images, attributes, filter).
        var router = new RecordRouter(source.KeySelector, (source.Shape ?? OutputShape.Default).CreateEncoder(source.TableName, source.StreamArn, shard.ShardId), options.Sink.MaxRecordBytes);
        return new SegmentScanner(dynamoDb, hold, snapshot, router, source.Filter, sink, deadLetterSink, budget, progress, shard, options, time, loggers.CreateLogger<SegmentScanner>(), metrics, floor, gate);
    }

    /// <summary>A progress line every <see cref="BackfillOptions.ProgressInterval"/> while the run is under way.</summary>
    private async Task ReportAsync(BackfillProgress progress, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Backfill.ProgressInterval, time);
        var warned = false;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                // Said as soon as the rate shows it, while raising the read budget or the segments can still help.
                if (!warned && IsSnapshot(progress.Run) && progress.EstimatedEnd is { } end && progress.Run.OutlivesStream(end))
                {
                    warned = true;
                    LogMayOutliveStream(progress.Run.TableName, end, progress.Run.ScanStartedAt + BackfillRun.StreamRetention);
                }

                LogProgress(
                    progress.Run.TableName,
                    progress.Run.RunId,
                    progress.ItemsScanned,
                    progress.BytesScanned,
                    progress.SegmentsDone,
                    progress.Run.TotalSegments,
                    Math.Round(progress.ItemsPerSecond),
                    Math.Round(progress.Fraction * 100, 1),
                    progress.EstimatedTimeLeft is { } left ? left.ToString(@"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture) : "unknown");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Run over.
        }
    }

    /// <summary>Only a snapshot start reads the stream from before its scan; an on-demand run's changes are forwarded live.</summary>
    private static bool IsSnapshot(BackfillRun run) => run.RunId == BackfillRun.SnapshotRunId;

    [LoggerMessage(EventId = 1517, Level = LogLevel.Warning, Message = "Backfill {Table}/snapshot will end about {EstimatedEnd:O}, after {TrimmedAfter:O}, when the stream starts trimming changes made since the scan began: raise Bridge:Backfill:ReadUnitsPerSecond, TotalSegments or ConcurrentSegments, or changes made early in the scan to items it had already read will be lost")]
    private partial void LogMayOutliveStream(string table, DateTimeOffset estimatedEnd, DateTimeOffset trimmedAfter);

    [LoggerMessage(EventId = 1518, Level = LogLevel.Error, Message = "DATA MAY BE LOST: backfill {Table}/snapshot began {ScanStartedAt:O} and ended {FinishedAt:O}, longer than the stream's 24-hour retention; changes made in its first hours to items it had already read were trimmed before they could be read. Run the backfill command with a new run id to send the table's current state again")]
    private partial void LogOutlivedStream(string table, DateTimeOffset scanStartedAt, DateTimeOffset finishedAt);

    [LoggerMessage(EventId = 1510, Level = LogLevel.Information, Message = "Backfill {Table}/{RunId} started at {ScanStartedAt:O}: {TotalSegments} segments; the table holds about {ItemCount} items, {SizeBytes} bytes")]
    private partial void LogRunStarted(string table, string runId, int totalSegments, DateTimeOffset scanStartedAt, long itemCount, long sizeBytes);

    [LoggerMessage(EventId = 1511, Level = LogLevel.Information, Message = "Backfill {Table}/{RunId}: {Items} items, {Bytes} bytes scanned here; {SegmentsDone}/{TotalSegments} segments done; {ItemsPerSecond} items/s; {Percent}% ; time left {TimeLeft}")]
    private partial void LogProgress(string table, string runId, long items, long bytes, int segmentsDone, int totalSegments, double itemsPerSecond, double percent, string timeLeft);

    [LoggerMessage(EventId = 1512, Level = LogLevel.Information, Message = "Backfill {Table}/{RunId} finished: every segment acknowledged by Kinesis ({Items} items, {Bytes} bytes scanned here in {Seconds:F1} s)")]
    private partial void LogRunFinished(string table, string runId, long items, long bytes, double seconds);

    [LoggerMessage(EventId = 1513, Level = LogLevel.Information, Message = "Backfill {Table}/{RunId} finished at {FinishedAt:O} already; it is not scanned again (give the backfill another run id to scan again)")]
    private partial void LogAlreadyFinished(string table, string runId, DateTimeOffset finishedAt);

    [LoggerMessage(EventId = 1514, Level = LogLevel.Warning, Message = "Backfill {Table}/{RunId} was started with {TotalSegments} segments; it resumes with those, not Bridge:Backfill:TotalSegments")]
    private partial void LogSegmentsKept(string table, string runId, int totalSegments);

    [LoggerMessage(EventId = 1516, Level = LogLevel.Warning, Message = "Backfill {Table}/{RunId}: reading or taking segments failed: {Error}; retrying at the next poll")]
    private partial void LogCycleFailed(string table, string runId, string error);

    [LoggerMessage(EventId = 1515, Level = LogLevel.Warning, Message = "Backfill {Table}/{RunId}: segment {Segment} was taken by another worker; it continues from the last checkpoint")]
    private partial void LogSegmentLost(string table, string runId, int segment);
}
