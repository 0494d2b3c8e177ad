using Amazon.DynamoDBv2;
using Bridge.Forwarding;
using Bridge.Ordering;
using Microsoft.Extensions.Logging;

namespace Bridge.Backfill;

/// <summary>What a backfill needs besides the sinks: the source table's client and the store of runs and segments.</summary>
internal sealed record BackfillServices(IAmazonDynamoDB DynamoDb, IBackfillStore Store);

/// <summary><c>StartPosition = Snapshot</c> for one source: on its first start, the table is scanned before its stream is read.</summary>
/// <remarks>
/// <para>Why nothing is missed: the run is recorded before the shard leases are created, and the leases start at TRIM_HORIZON
/// (no checkpoint). The stream read after the scan therefore holds every change made since the scan began (and up to
/// 24 hours before), provided the scan takes less than the stream's 24-hour retention; a change the scan already saw is
/// sent again (a duplicate, never a loss). Every snapshot record is acknowledged by Kinesis before the first stream record
/// is read, so per item, the last record a consumer gets is the item's latest change, or its snapshot if it has none.</para>
/// <para>A source that has checkpoints but no snapshot run was started before with another position: it is not scanned
/// (use the <c>backfill</c> command). A crash during the scan resumes it on the next start, because the run exists and is
/// not finished; a finished run is never scanned again.</para>
/// <para>Merge mode with <c>OrderBy</c> (<paramref name="floor"/> given): stream records older than their item's snapshot
/// are not forwarded (<see cref="SnapshotFloor"/>), so no item's state goes back. The floor is ready before the first
/// stream record is read (<see cref="PrepareFloorAsync"/>) and released once the merge watermark has passed the run
/// (<see cref="ReleaseFloorWhenPassedAsync"/>); until the release is recorded on the run, every start rebuilds it.</para>
/// </remarks>
internal sealed partial class SnapshotStart(
    ResolvedSource source,
    BackfillServices services,
    TableBackfill backfill,
    BridgeOptions options,
    TimeProvider time,
    ILoggerFactory loggers,
    SnapshotFloor? floor = null,
    FloorRebuild? rebuild = null)
{
    /// <summary>How far past the run's end the watermark must be before the floor is released, besides <c>Lateness</c>:
    /// room for writers whose clocks lag the bridge's.</summary>
    public static readonly TimeSpan FloorMargin = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger = loggers.CreateLogger<SnapshotStart>();

    /// <summary>The finished run whose floor is in use; set by <see cref="PrepareFloorAsync"/>.</summary>
    private BackfillRun? _floorRun;

    /// <summary>Call before any shard lease of the source is created. Returns the run to scan, or null when there is none to scan.</summary>
    /// <param name="hasCheckpoints">The source has shard leases already.</param>
    public async Task<BackfillRun?> BeginAsync(bool hasCheckpoints, CancellationToken cancellationToken)
    {
        var run = await services.Store.GetRunAsync(source.TableName, BackfillRun.SnapshotRunId, cancellationToken).ConfigureAwait(false);
        if (run is { IsFinished: true })
        {
            return null;
        }

        if (run is null && hasCheckpoints)
        {
            LogNotFirstStart(source.TableName);
            return null;
        }

        return await services.Store.StartRunAsync(BackfillRun.Begin(source.TableName, BackfillRun.SnapshotRunId, options.Backfill.TotalSegments, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Scans the table to the end of the run (with any other workers); false when stopped first.</summary>
    public async Task<bool> ScanAsync(CancellationToken stop, CancellationToken drainDeadline) =>
        (await backfill.RunAsync(BackfillRun.SnapshotRunId, stop, drainDeadline).ConfigureAwait(false)).IsFinished;

    /// <summary>Call after the scan, before the stream is read: the floor the source's stream records are checked against,
    /// or null when there is none to keep (no floor configured, no snapshot run, or its floor released already).</summary>
    public async Task<SnapshotFloor?> PrepareFloorAsync(CancellationToken cancellationToken)
    {
        if (floor is null)
        {
            return null;
        }

        var run = await services.Store.GetRunAsync(source.TableName, BackfillRun.SnapshotRunId, cancellationToken).ConfigureAwait(false);
        if (run is not { IsFinished: true, FloorReleasedAt: null })
        {
            return null;
        }

        var filled = floor.IsComplete(run.TotalSegments);
        if (!filled)
        {
            // Some items were sent by an earlier attempt (or another worker), whose floors died with it, or the scan's
            // floor outgrew Bridge:Backfill:MaxScanFloorItems.
            var from = rebuild ?? throw new InvalidOperationException("A snapshot floor needs its rebuild from the stream.");
            await from.RebuildAsync(source, floor, cancellationToken).ConfigureAwait(false);
        }

        _floorRun = run;
        var origin = filled ? "the scan" : floor.ScanFillDropped ? "the stream (the scan's passed Bridge:Backfill:MaxScanFloorItems)" : "the stream";
        LogFloorReady(source.TableName, floor.Count, origin, ReleaseAt(run));
        return floor;
    }

    /// <summary>Runs beside the source's consumers: once the merge watermark passes the run's end plus
    /// <c>Lateness</c> and <see cref="FloorMargin"/>, no stream record still to come is older than a snapshot, so the
    /// release is recorded on the run (a restart then builds no floor) and the floor's memory freed.</summary>
    public async Task ReleaseFloorWhenPassedAsync(MergeStage merge, CancellationToken cancellationToken)
    {
        if (floor is null || _floorRun is not { } run)
        {
            return;
        }

        var releaseAt = ReleaseAt(run).ToUnixTimeMilliseconds();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (merge.Watermark is not { } watermark || watermark < releaseAt)
                {
                    continue;
                }

                try
                {
                    // Recorded first: a crash before the memory is freed only rebuilds a floor that suppresses nothing new.
                    await services.Store.ReleaseFloorAsync(run, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (TransientFailure.Is(ex, cancellationToken))
                {
                    LogReleaseFailed(source.TableName, ex.Message);
                    continue;
                }

                var items = floor.Count;
                floor.Release();
                LogFloorReleased(source.TableName, items, floor.Suppressed);
                return;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the floor is rebuilt on the next start.
        }
    }

    private DateTimeOffset ReleaseAt(BackfillRun run) => run.FinishedAt!.Value + options.Ordering.Lateness + FloorMargin;

    [LoggerMessage(EventId = 1520, Level = LogLevel.Information, Message = "Source {Table} has checkpoints from an earlier start: StartPosition Snapshot scans only a source's first start; run the backfill command to scan it now")]
    private partial void LogNotFirstStart(string table);

    [LoggerMessage(EventId = 1521, Level = LogLevel.Information, Message = "Snapshot floor of {Table}: {Items} items, from {Origin}; stream records older than their item's snapshot are not forwarded until the watermark passes {ReleaseAt:O}")]
    private partial void LogFloorReady(string table, int items, string origin, DateTimeOffset releaseAt);

    [LoggerMessage(EventId = 1523, Level = LogLevel.Information, Message = "Snapshot floor of {Table} released ({Items} items): the watermark passed the scan; {Suppressed} stream records older than their item's snapshot were not forwarded")]
    private partial void LogFloorReleased(string table, int items, long suppressed);

    [LoggerMessage(EventId = 1524, Level = LogLevel.Warning, Message = "Recording the release of the snapshot floor of {Table} failed: {Error}; retrying")]
    private partial void LogReleaseFailed(string table, string error);
}
