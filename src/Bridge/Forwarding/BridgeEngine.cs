using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Backfill;
using Bridge.Coordination;
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

        LogStarting(sources.Count, options.Target.StreamName);
        var leases = new LeaseCoordinator(store, [.. sources.Select(s => s.StreamArn).Distinct()], options.Leases, time, loggers.CreateLogger<LeaseCoordinator>(), metrics);
        using var stopRenewing = new CancellationTokenSource();
        var coordinator = Task.Run(() => leases.RunAsync(stop.Token, stopRenewing.Token), CancellationToken.None);
        var forwarders = sources
            .Select(source => RunForwarderAsync(new SourceForwarder(source, streams, leases, sink, deadLetterSink, options, time, loggers, metrics, NewSnapshotStart(source, sink, deadLetterSink)), stop, drainDeadline.Token))
            .ToArray();
        _started.TrySetResult();
        try
        {
            await Task.WhenAll(forwarders).ConfigureAwait(false);
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

    /// <summary>Runs one source; its fatal error stops the others too (drained and checkpointed), then escapes.</summary>
    private static async Task RunForwarderAsync(SourceForwarder forwarder, CancellationTokenSource stop, CancellationToken drainDeadline)
    {
        try
        {
            await Task.Run(() => forwarder.RunAsync(stop.Token, drainDeadline), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && stop.IsCancellationRequested))
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The snapshot of a source's first start, when <c>StartPosition</c> is <c>Snapshot</c>; scanned records go into the stream records' sinks.</summary>
    private SnapshotStart? NewSnapshotStart(ResolvedSource source, KinesisSink sink, KinesisSink? deadLetterSink)
    {
        if (!options.StartWithSnapshot)
        {
            return null;
        }

        var services = backfill ?? throw new InvalidOperationException("StartPosition Snapshot needs the backfill services (the table client and the run store).");
        var scan = new TableBackfill(source, services.DynamoDb, services.Store, sink, deadLetterSink, options, time, loggers, metrics);
        return new SnapshotStart(source, services.Store, scan, options.Backfill, time, loggers.CreateLogger<SnapshotStart>());
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Bridge starting: {Sources} sources into {Target}")]
    private partial void LogStarting(int sources, string target);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Bridge stopped: every shard drained and checkpointed as far as acknowledged")]
    private partial void LogStopped();
}
