using Bridge.Forwarding;
using Bridge.Ordering;
using Microsoft.Extensions.Logging;

namespace Bridge.Backfill;

/// <summary>Merge mode with <c>OrderBy</c>: the on-demand backfills of one source (runs recorded by the <c>backfill</c>
/// command) are scanned by the worker that holds the merge group, and their snapshot records meet the source's released
/// stream records at the source's <see cref="ItemOrderGate"/>, so no item's state goes back in Kinesis.</summary>
/// <remarks>
/// <para>Why in the worker: ordering needs one writer per item. A scan in another process cannot know what the worker
/// has just sent, nor stop the worker from sending an older change after its snapshot. The command therefore only records
/// the run and watches it; the worker that holds the merge group finds it (every <c>Bridge:DiscoveryInterval</c>: a scan of
/// the checkpoint table, which holds an item per shard, run and segment), opens the gate,
/// scans it with its segments checkpointed as any run's, and closes the gate once the watermark passed the run's end.</para>
/// <para>After a crash or a lost merge group, the gate's memory is gone while a run is unfinished or its gate not yet
/// released: the next round rebuilds it from the stream before any stream record is read (<see cref="PrepareAsync"/>), as
/// the snapshot floor is rebuilt (<see cref="FloorRebuild"/>): every stream record still to be sent raises its item to the
/// newest state in the stream, at or above any snapshot sent before the crash. Pages scanned again after the crash are
/// read afresh, so they are at least as new as any change sent before it.</para>
/// </remarks>
internal sealed partial class MergedBackfill(
    ResolvedSource source,
    BackfillServices services,
    TableBackfill backfill,
    ItemOrderGate gate,
    FloorRebuild rebuild,
    BridgeOptions options,
    TimeProvider time,
    ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<MergedBackfill>();

    /// <summary>What <see cref="PrepareAsync"/> read, so the first poll of <see cref="RunAsync"/> does not read it again.</summary>
    private IReadOnlyList<BackfillRun>? _prepared;

    public ItemOrderGate Gate => gate;

    /// <summary>Call before the source's stream is read: when a run is unfinished or its gate not released, the gate is
    /// opened and rebuilt from the stream.</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var runs = _prepared = await UnreleasedAsync(cancellationToken).ConfigureAwait(false);
        if (runs.Count == 0)
        {
            return;
        }

        gate.Open();
        await rebuild.RebuildAsync(source, gate, cancellationToken).ConfigureAwait(false);
        LogGateRebuilt(source.TableName, string.Join(", ", runs.Select(r => r.RunId)), gate.Count);
    }

    /// <summary>Runs beside the source's consumers for the merge round: scans every unfinished run, one after another, and
    /// closes the gate once the watermark has passed the last run's end.</summary>
    /// <returns>When stopped (drained and checkpointed). A run that fails (a blocked item, a denied Scan) waits, logged, and
    /// is tried again; the stream is not stopped for it.</returns>
    public async Task RunAsync(MergeStage merge, CancellationToken stop, CancellationToken drainDeadline)
    {
        using var stopEvicting = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var evicting = EvictAsync(merge, stopEvicting.Token);
        try
        {
            using var timer = new PeriodicTimer(options.DiscoveryInterval, time);
            do
            {
                IReadOnlyList<BackfillRun> runs;
                try
                {
                    runs = _prepared ?? await UnreleasedAsync(stop).ConfigureAwait(false);
                    _prepared = null;
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && stop.IsCancellationRequested))
                {
                    LogPollFailed(source.TableName, ex.Message);
                    continue;
                }

                foreach (var run in runs.Where(r => !r.IsFinished))
                {
                    gate.Open();
                    LogScanningHere(source.TableName, run.RunId);

                    try
                    {
                        if (!(await backfill.RunAsync(run.RunId, stop, drainDeadline).ConfigureAwait(false)).IsFinished)
                        {
                            return;
                        }
                    }
                    catch (Exception ex) when (!(ex is OperationCanceledException && stop.IsCancellationRequested))
                    {
                        // A blocked item, a denied Scan: as a blocked shard waits, the run waits and the stream goes on.
                        LogRunFailed(source.TableName, run.RunId, ex.Message, options.DiscoveryInterval.TotalSeconds);
                        break;
                    }
                }

                if (runs.Count > 0 && runs.All(r => r.IsFinished))
                {
                    await TryReleaseAsync(runs, merge, stop).ConfigureAwait(false);
                }
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped: an unfinished run resumes, and an unreleased gate is rebuilt, in the next round.
        }
        finally
        {
            await stopEvicting.CancelAsync().ConfigureAwait(false);
            await evicting.ConfigureAwait(false);
        }
    }

    /// <summary>Once the watermark passes the last run's end plus <c>Lateness</c> and a margin, no stream record still to
    /// come is older than a snapshot sent: the release is recorded on the runs (a restart then rebuilds nothing) and the gate closed.</summary>
    private async Task TryReleaseAsync(IReadOnlyList<BackfillRun> finished, MergeStage merge, CancellationToken cancellationToken)
    {
        var releaseAt = finished.Max(r => r.FinishedAt!.Value) + options.Ordering.Lateness + SnapshotStart.FloorMargin;
        if (merge.Watermark is not { } watermark || watermark < releaseAt.ToUnixTimeMilliseconds())
        {
            return;
        }

        try
        {
            foreach (var run in finished)
            {
                await services.Store.ReleaseFloorAsync(run, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            LogPollFailed(source.TableName, ex.Message);
            return;
        }

        LogGateClosed(source.TableName, string.Join(", ", finished.Select(r => r.RunId)), gate.SuppressedChanges, gate.SuppressedSnapshots);
        gate.Close();
    }

    /// <summary>Frees the gate's old generations as the watermark moves, also while a long run scans.</summary>
    private async Task EvictAsync(MergeStage merge, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (gate.IsOpen && merge.Watermark is { } watermark)
                {
                    gate.Evict(watermark);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Round over.
        }
    }

    /// <summary>On-demand runs of the source whose gate is not released yet (unfinished, or finished and not yet passed).</summary>
    private async Task<IReadOnlyList<BackfillRun>> UnreleasedAsync(CancellationToken cancellationToken) =>
        [.. (await services.Store.ListRunsAsync(source.TableName, cancellationToken).ConfigureAwait(false))
            .Where(r => r.RunId != BackfillRun.SnapshotRunId && r.FloorReleasedAt is null)];

    [LoggerMessage(EventId = 1530, Level = LogLevel.Information, Message = "Backfill {Table}/{RunId} is scanned here, in the merge group's worker: its snapshot records and the stream's changes go out in order per item (newer state last)")]
    private partial void LogScanningHere(string table, string runId);

    [LoggerMessage(EventId = 1531, Level = LogLevel.Information, Message = "Backfill gate of {Table} rebuilt from the stream for runs {RunIds}: {Items} items; no stream record older than a snapshot sent before the restart goes out")]
    private partial void LogGateRebuilt(string table, string runIds, int items);

    [LoggerMessage(EventId = 1532, Level = LogLevel.Information, Message = "Backfill gate of {Table} closed: the watermark passed runs {RunIds}; {Changes} changes older than their item's snapshot and {Snapshots} snapshots older than their item's last change were not sent")]
    private partial void LogGateClosed(string table, string runIds, long changes, long snapshots);

    [LoggerMessage(EventId = 1533, Level = LogLevel.Error, Message = "Backfill {Table}/{RunId} stopped: {Error}; the stream goes on, and the run resumes from its checkpoints in {Seconds} s")]
    private partial void LogRunFailed(string table, string runId, string error, double seconds);

    [LoggerMessage(EventId = 1534, Level = LogLevel.Warning, Message = "Reading or recording backfill runs of {Table} failed: {Error}; retrying at the next poll")]
    private partial void LogPollFailed(string table, string error);
}
