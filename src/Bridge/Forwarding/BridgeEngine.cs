using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.Ordering;
using Bridge.Sink;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Forwarding;

/// <summary>Runs the whole bridge: one sink per target stream, one forwarder per source stream.</summary>
/// <remarks>
/// Shutdown is ordered so nothing is lost and, given time, nothing is re-sent: on <c>stoppingToken</c> every
/// consumer stops reading; the sinks keep sending until what was read is acknowledged or the drain budget
/// (<see cref="BridgeOptions.ShutdownTimeout"/> minus the final checkpoint's share) runs out; then each shard
/// checkpoints what was acknowledged and releases its lease, so another worker continues at once. The lease
/// coordinator keeps renewing until every consumer stopped (the drain may outlast a lease duration), then
/// releases whatever is still held. A sink's fatal error stops everything the same way, then escapes.
/// </remarks>
internal sealed partial class BridgeEngine(
    BridgeOptions options,
    IReadOnlyList<ResolvedSource> sources,
    IDynamoDbStreamsClient streams,
    IKinesisClient kinesis,
    ILeaseStore store,
    TimeProvider time,
    ILoggerFactory loggers,
    BridgeMetrics metrics,
    BackfillServices? backfill = null)
{
    /// <summary>Kept from the shutdown budget for the final checkpoint writes.</summary>
    public static readonly TimeSpan FinalCheckpointShare = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggers.CreateLogger<BridgeEngine>();

    /// <summary>Completes once every shard has started reading or the engine stopped; for readiness checks and tests.</summary>
    public Task Started => _started.Task;

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await store.EnsureCreatedAsync(stoppingToken).ConfigureAwait(false);
        await using var sinks = await TargetSinks.StartAsync(options, kinesis, time, loggers, metrics, stoppingToken).ConfigureAwait(false);
        var (sink, deadLetterSink) = (sinks.Target, sinks.DeadLetter);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var drainDeadline = new CancellationTokenSource();
        var drainBudget = options.ShutdownTimeout - FinalCheckpointShare;
        await using var onStop = stop.Token.Register(() => drainDeadline.CancelAfter(drainBudget > TimeSpan.Zero ? drainBudget : TimeSpan.Zero)).ConfigureAwait(false);
        _ = sinks.AnyFailure.ContinueWith(
            _ => stop.Cancel(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        LogStarting(sources.Count, options.Target.StreamName, options.Ordering.Mode.ToString());
        var streamArns = sources.Select(s => s.StreamArn).Distinct().ToList();
        var groupLeaseKey = options.Ordering.IsMerge ? MergeGroup.KeyOf(streamArns) : null;
        var leases = new LeaseCoordinator(store, streamArns, options.Leases, time, loggers.CreateLogger<LeaseCoordinator>(), metrics, groupLeaseKey);
        using var stopRenewing = new CancellationTokenSource();
        var coordinator = Task.Run(() => leases.RunAsync(stop.Token, stopRenewing.Token), CancellationToken.None);
        var forwarding = groupLeaseKey is null
            ? Task.WhenAll(sources.Select(source => RunForwarderAsync(NewForwarder(source, leases, sink, deadLetterSink, merge: null), stop, stop.Token, drainDeadline.Token)))
            : RunMergedAsync(leases, groupLeaseKey, sink, deadLetterSink, stop, drainDeadline.Token);
        _started.TrySetResult();
        try
        {
            await forwarding.ConfigureAwait(false);
        }
        finally
        {
            await stopRenewing.CancelAsync().ConfigureAwait(false);
            await coordinator.ConfigureAwait(false);
            using var releaseDeadline = new CancellationTokenSource(FinalCheckpointShare, time);
            await leases.ReleaseAllAsync(releaseDeadline.Token).ConfigureAwait(false);
            LogStopped();
        }

        await sinks.ThrowIfFailedAsync().ConfigureAwait(false);
    }

    /// <summary>Merge mode: while this worker holds the merge group's lease, runs every source through one
    /// <see cref="MergeStage"/>; otherwise stands by. A round ends when the group is lost (another worker continues
    /// from the checkpoints) or on stop; each round starts a fresh stage, so nothing of a lost round is released.</summary>
    private async Task RunMergedAsync(LeaseCoordinator leases, string groupLeaseKey, KinesisSink sink, KinesisSink? deadLetterSink, CancellationTokenSource stop, CancellationToken drainDeadline)
    {
        while (await WaitForLeaseAsync(leases, groupLeaseKey, stop.Token).ConfigureAwait(false) is { } group)
        {
            LogMergeGroupHeld(leases.WorkerId, sources.Count);
            using var round = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, group.Lost);
            var merge = new MergeStage(group, options.Ordering, sources.Count, sink, deadLetterSink, options.Sink.MaxRecordBytes, time, loggers.CreateLogger<MergeStage>(), metrics);
            await using (merge.ConfigureAwait(false))
            {
                _ = merge.Completion.ContinueWith(
                    _ => stop.Cancel(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                await Task.WhenAll(sources.Select(source => RunForwarderAsync(NewForwarder(source, leases, sink, deadLetterSink, merge), stop, round.Token, drainDeadline))).ConfigureAwait(false);
                if (merge.Completion.IsFaulted)
                {
                    await merge.Completion.ConfigureAwait(false);
                }
            }

            if (group.IsLost)
            {
                LogMergeGroupLost(leases.WorkerId);
            }
        }
    }

    /// <returns>The held lease, or null once stopped.</returns>
    private static async Task<HeldLease?> WaitForLeaseAsync(LeaseCoordinator leases, string leaseKey, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var changed = leases.Changed;
            if (leases.Find(leaseKey) is { IsLost: false } held)
            {
                return held;
            }

            await changed.WaitAsync(stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return null;
    }

    /// <summary>Runs one source; its fatal error stops the others too (drained and checkpointed), then escapes.</summary>
    private static async Task RunForwarderAsync(SourceForwarder forwarder, CancellationTokenSource stopAll, CancellationToken stopReading, CancellationToken drainDeadline)
    {
        try
        {
            await Task.Run(() => forwarder.RunAsync(stopReading, drainDeadline), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && stopReading.IsCancellationRequested))
        {
            await stopAll.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The snapshot of a source's first start, when <c>StartPosition</c> is <c>Snapshot</c>; scanned records go
    /// into the stream records' sinks, past the merge stage (each is acknowledged before the source's first stream record
    /// is read). In Merge mode with <c>OrderBy</c> it keeps the source's <see cref="SnapshotFloor"/>.</summary>
    private SnapshotStart? NewSnapshotStart(ResolvedSource source, ILeaseStore leases, KinesisSink sink, KinesisSink? deadLetterSink, bool merged)
    {
        if (!options.StartWithSnapshot)
        {
            return null;
        }

        var services = backfill ?? throw new InvalidOperationException("StartPosition Snapshot needs the backfill services (the table client and the run store).");
        var floor = merged && source.OrderValue.Path is not null ? new SnapshotFloor(source.OrderValue, options.Backfill.MaxScanFloorItems) : null;
        var scan = new TableBackfill(source, services.DynamoDb, services.Store, sink, deadLetterSink, options, time, loggers, metrics, floor);
        var rebuild = floor is null ? null : new FloorRebuild(streams, leases, options.Reading, time, loggers, metrics);
        return new SnapshotStart(source, services, scan, options, time, loggers, floor, rebuild);
    }

    /// <summary>Merge mode with <c>OrderBy</c>: the source's on-demand backfills, scanned by this worker while it holds the
    /// merge group, their records ordered with the stream's per item at a gate of the round.</summary>
    private MergedBackfill? NewMergedBackfill(ResolvedSource source, ILeaseStore leases, KinesisSink sink, KinesisSink? deadLetterSink, MergeStage? merge)
    {
        if (merge is null || source.OrderValue.Path is null || backfill is not { } services)
        {
            return null;
        }

        var gate = new ItemOrderGate(source.OrderValue, options.Ordering.Lateness + SnapshotStart.FloorMargin, time, merge.RoundLost);
        var scan = new TableBackfill(source, services.DynamoDb, services.Store, sink, deadLetterSink, options, time, loggers, metrics, gate: gate);
        var rebuild = new FloorRebuild(streams, leases, options.Reading, time, loggers, metrics);
        return new MergedBackfill(source, services, scan, gate, rebuild, options, time, loggers);
    }

    private SourceForwarder NewForwarder(ResolvedSource source, LeaseCoordinator leases, KinesisSink sink, KinesisSink? deadLetterSink, MergeStage? merge) =>
        new(source, streams, leases, sink, deadLetterSink, options, time, loggers, metrics, merge, NewSnapshotStart(source, leases.Store, sink, deadLetterSink, merged: merge is not null), NewMergedBackfill(source, leases.Store, sink, deadLetterSink, merge));

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Bridge starting: {Sources} sources into {Target}, ordering mode {Mode}")]
    private partial void LogStarting(int sources, string target, string mode);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Worker {WorkerId} holds the merge group: merging {Sources} sources")]
    private partial void LogMergeGroupHeld(string workerId, int sources);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Worker {WorkerId} lost the merge group; standing by while another worker merges from the checkpoints")]
    private partial void LogMergeGroupLost(string workerId);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Bridge stopped: every shard drained and checkpointed as far as acknowledged")]
    private partial void LogStopped();
}
