using System.Runtime.ExceptionServices;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.Ordering;
using Bridge.Output;
using Bridge.Routing;
using Bridge.Sink;
using Bridge.Source;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Forwarding;

/// <summary>Forwards one source stream: keeps its shard lineage, keeps a lease per shard, and runs one consumer per shard whose lease this worker holds.</summary>
/// <remarks>
/// The only place that decides when a shard starts here: when this worker holds its lease (see
/// <see cref="LeaseCoordinator"/>) and its parent is finished, whichever worker finished it. Leases are created
/// for every listed shard, parents before children, so a child's lease never exists without its parent's
/// (or after the parent's was cleaned up). A consumer's stopReading is linked to its lease: losing the lease
/// stops that consumer at once; a handoff request stops it gracefully (drain, checkpoint), then the lease is released.
/// </remarks>
internal sealed partial class SourceForwarder(
    ResolvedSource source,
    IDynamoDbStreamsClient streams,
    LeaseCoordinator leases,
    KinesisSink sink,
    KinesisSink? deadLetterSink,
    BridgeOptions options,
    TimeProvider time,
    ILoggerFactory loggers,
    BridgeMetrics metrics,
    MergeStage? merge = null,
    SnapshotStart? snapshot = null,
    MergedBackfill? onDemand = null)
{
    private readonly ILogger _logger = loggers.CreateLogger<SourceForwarder>();
    private readonly ShardLineage _lineage = new();

    /// <summary>Merge mode with <c>OrderBy</c> after a snapshot: what each consumer checks stream records against; set
    /// before the first consumer starts, null when there is none.</summary>
    private SnapshotFloor? _floor;

    /// <summary>Running consumers, with the shard and lease acquisition they work under: one at most per shard.</summary>
    private readonly Dictionary<Task<ShardOutcome>, (string ShardId, HeldLease Lease, CancellationTokenSource Stop)> _running = [];

    public async Task RunAsync(CancellationToken stopReading, CancellationToken drainDeadline)
    {
        var stored = await leases.Store.ListAsync([source.StreamArn], stopReading).ConfigureAwait(false);
        var shards = (await streams.DescribeAllShardsAsync(source.StreamArn, stopReading).ConfigureAwait(false)).Shards;
        _lineage.Observe(shards);
        var snapshotRun = snapshot is null ? null : await snapshot.BeginAsync(hasCheckpoints: stored.Count > 0, stopReading).ConfigureAwait(false);
        await EnsureLeasesAsync(stored, initializeAtLatest: stored.Count == 0 && options.StartAtLatest, stopReading).ConfigureAwait(false);
        LogDiscovered(source.TableName, source.StreamArn, shards.Count, stored.Count);
        if (snapshotRun is not null && !await snapshot!.ScanAsync(stopReading, drainDeadline).ConfigureAwait(false))
        {
            // Stopped during the scan: its segments are checkpointed, and the next start resumes it before streaming.
            return;
        }

        _floor = snapshot is null ? null : await snapshot.PrepareFloorAsync(stopReading).ConfigureAwait(false);
        if (onDemand is not null)
        {
            await onDemand.PrepareAsync(stopReading).ConfigureAwait(false);
        }

        leases.RequestCycle();

        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(stopReading);
        var releasing = _floor is null || merge is null ? Task.CompletedTask : snapshot!.ReleaseFloorWhenPassedAsync(merge, stopAll.Token);
        var backfilling = onDemand is null ? Task.CompletedTask : onDemand.RunAsync(merge!, stopAll.Token, drainDeadline);
        Exception? failure = null;
        var discovery = Task.Delay(options.DiscoveryInterval, time, stopAll.Token);
        var changed = leases.Changed;
        while (true)
        {
            // Read once: a stop landing between two reads would leave nothing to wait for (no consumer, no timers).
            var stopping = stopAll.IsCancellationRequested;
            if (stopping && _running.Count == 0)
            {
                break;
            }

            IEnumerable<Task> waitFor = _running.Keys;
            if (!stopping)
            {
                waitFor = waitFor.Append(discovery).Append(changed);
            }

            var done = await Task.WhenAny(waitFor).ConfigureAwait(false);
            if (done == changed)
            {
                changed = leases.Changed;
                if (!stopAll.IsCancellationRequested)
                {
                    await SyncWithLeasesAsync(stopAll.Token, drainDeadline).ConfigureAwait(false);
                }

                continue;
            }

            if (done == discovery)
            {
                if (!stopAll.IsCancellationRequested)
                {
                    await DiscoverAsync(stopAll.Token).ConfigureAwait(false);
                    discovery = Task.Delay(options.DiscoveryInterval, time, stopAll.Token);
                }

                continue;
            }

            var consumer = (Task<ShardOutcome>)done;
            var (shardId, lease, stop) = _running[consumer];
            _running.Remove(consumer);
            stop.Dispose();
            try
            {
                await OnConsumerDoneAsync(shardId, lease, await consumer.ConfigureAwait(false), stopAll.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && stopAll.IsCancellationRequested))
            {
                // One shard's fatal error stops the whole stream, but only after the other shards drained
                // and checkpointed, so the restart re-sends as little as possible.
                failure ??= ex;
                _lineage.MarkStopped(shardId);
                await stopAll.CancelAsync().ConfigureAwait(false);
            }
        }

        await releasing.ConfigureAwait(false);
        await backfilling.ConfigureAwait(false);
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private async Task OnConsumerDoneAsync(string shardId, HeldLease lease, ShardOutcome outcome, CancellationToken cancellationToken)
    {
        switch (outcome)
        {
            case ShardOutcome.Ended:
                _lineage.MarkFinished(shardId);
                await FindChildrenAsync(shardId, cancellationToken).ConfigureAwait(false);
                SyncMerge();
                await TryEnsureLeasesAsync(cancellationToken).ConfigureAwait(false);
                await leases.ReleaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
                break;
            case ShardOutcome.Stopped:
                // Shutdown or handoff: drained and checkpointed, so the next owner continues where this one stopped.
                _lineage.MarkStopped(shardId);
                await leases.ReleaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
                break;
            case ShardOutcome.LeaseLost:
                _lineage.MarkStopped(shardId);
                LogLeaseLost(source.TableName, shardId);
                break;
            case ShardOutcome.Blocked:
                // Stays marked started, its lease held: a blocked shard is not retried behind the operator's back.
                break;
        }
    }

    /// <summary>After a lease cycle: learn which shards other workers finished, start shards whose lease this worker now holds, release handed-off idle ones.</summary>
    private async Task SyncWithLeasesAsync(CancellationToken stopReading, CancellationToken drainDeadline)
    {
        var ofStream = leases.Snapshot.Where(l => l.StreamArn == source.StreamArn).ToList();
        var parents = ofStream.Where(l => l.ParentShardId is not null).Select(l => l.ParentShardId!).ToHashSet(StringComparer.Ordinal);
        var byShard = ofStream.ToDictionary(l => l.ShardId, StringComparer.Ordinal);
        foreach (var shard in _lineage.ParentsFirst())
        {
            // Finished here or elsewhere; a listed shard without a lease but with a child lease was finished and cleaned up.
            if ((byShard.TryGetValue(shard.ShardId, out var lease) && lease.IsFinished) || (lease is null && parents.Contains(shard.ShardId)))
            {
                if (!_lineage.IsStarted(shard.ShardId))
                {
                    _lineage.MarkFinished(shard.ShardId);
                }
            }
        }

        foreach (var shard in _lineage.ParentsFirst())
        {
            if (leases.Find(Lease.KeyOf(source.StreamArn, shard.ShardId)) is { HandoffRequested.IsCancellationRequested: true } idle && !_lineage.IsStarted(shard.ShardId))
            {
                await leases.ReleaseAsync(idle, CancellationToken.None).ConfigureAwait(false);
            }
        }

        SyncMerge();
        StartReady(stopReading, drainDeadline);
    }

    /// <summary>Merge mode: tracks every shard that can still produce records (so the watermark waits for it), hands a
    /// finished shard's frontier to its children, and declares the source ready once its shards are tracked.</summary>
    private void SyncMerge()
    {
        if (merge is null)
        {
            return;
        }

        var shards = _lineage.ParentsFirst();
        foreach (var shard in shards.Where(s => !_lineage.IsFinished(s.ShardId)))
        {
            merge.Track(SourceShardOf(shard.ShardId), shard.ParentShardId);
        }

        foreach (var shard in shards.Where(s => _lineage.IsFinished(s.ShardId)))
        {
            merge.Finish(SourceShardOf(shard.ShardId));
        }

        merge.SourceReady(source.StreamArn);
    }

    private SourceShard SourceShardOf(string shardId) => new(source.TableName, source.StreamArn, shardId);

    /// <summary>Creates missing leases from a fresh listing; a store error is logged, and the next discovery tries again.</summary>
    private async Task TryEnsureLeasesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var fresh = await leases.Store.ListAsync([source.StreamArn], cancellationToken).ConfigureAwait(false);
            await EnsureLeasesAsync(fresh, initializeAtLatest: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (TransientFailure.Is(ex))
        {
            LogDiscoveryFailed(source.TableName, ex.Message);
        }
    }

    /// <summary>Creates the leases of listed shards that have none, parents first; a shard whose child already has a lease was finished and cleaned up, so it gets none.</summary>
    /// <remarks><paramref name="known"/> must be a fresh listing: with a stale one, a cleaned-up parent could look never created and be created again.</remarks>
    private async Task EnsureLeasesAsync(IReadOnlyList<Lease> known, bool initializeAtLatest, CancellationToken cancellationToken)
    {
        var ofStream = known.Where(l => l.StreamArn == source.StreamArn).ToList();
        var existing = ofStream.Select(l => l.ShardId).ToHashSet(StringComparer.Ordinal);
        var parents = ofStream.Where(l => l.ParentShardId is not null).Select(l => l.ParentShardId!).ToHashSet(StringComparer.Ordinal);
        foreach (var shard in _lineage.ParentsFirst())
        {
            if (existing.Contains(shard.ShardId) || parents.Contains(shard.ShardId))
            {
                continue;
            }

            // First start with LATEST: open shards start at their tip, closed ones are recorded as finished so their
            // history is not read; both are stored, so a restart continues instead of jumping to the tip again.
            Checkpoint? initial = !initializeAtLatest ? null : shard.EndingSequenceNumber is null ? Checkpoint.Latest : Checkpoint.ShardEnd;
            await leases.Store.TryCreateAsync(Lease.New(source.StreamArn, shard.ShardId, shard.ParentShardId, initial), cancellationToken).ConfigureAwait(false);
            existing.Add(shard.ShardId);
        }
    }

    /// <summary>Looks up a finished shard's children at once; a few quick retries cover children that are not listed yet.</summary>
    private async Task FindChildrenAsync(string parentShardId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var children = await streams.DescribeChildShardsAsync(source.StreamArn, parentShardId, cancellationToken).ConfigureAwait(false);
                if (children.Count > 0)
                {
                    _lineage.Observe(children);
                    LogChildren(source.TableName, parentShardId, string.Join(", ", children.Select(c => c.ShardId)));
                    return;
                }
            }
            catch (Exception ex) when (TransientFailure.Is(ex))
            {
                LogDiscoveryFailed(source.TableName, ex.Message);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
        }

        // A closed shard with no children yet (or ever, once the stream is disabled): discovery keeps looking.
    }

    private async Task DiscoverAsync(CancellationToken cancellationToken)
    {
        try
        {
            _lineage.Observe((await streams.DescribeAllShardsAsync(source.StreamArn, cancellationToken).ConfigureAwait(false)).Shards);
            SyncMerge();
            await TryEnsureLeasesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (TransientFailure.Is(ex))
        {
            LogDiscoveryFailed(source.TableName, ex.Message);
        }
    }

    private void StartReady(CancellationToken stopReading, CancellationToken drainDeadline)
    {
        if (stopReading.IsCancellationRequested)
        {
            // Stopping: a shard that just stopped must not be started again.
            return;
        }

        foreach (var shard in _lineage.TakeStartable(s => leases.Find(Lease.KeyOf(source.StreamArn, s.ShardId)) is { IsLost: false, HandoffRequested.IsCancellationRequested: false }))
        {
            var lease = leases.Find(Lease.KeyOf(source.StreamArn, shard.ShardId))!;
            if (lease.Current.IsFinished)
            {
                _lineage.MarkFinished(shard.ShardId);
                continue;
            }

            var stop = CancellationTokenSource.CreateLinkedTokenSource(stopReading, lease.Lost, lease.HandoffRequested);
            var consumer = CreateConsumer(shard, lease, out var position);
            LogStarting(source.TableName, shard.ShardId, shard.ParentShardId ?? "(none)", position.ToString());
            _running.Add(Task.Run(() => consumer.RunAsync(stop.Token, drainDeadline), CancellationToken.None), (shard.ShardId, lease, stop));
        }
    }

    private ShardConsumer CreateConsumer(StreamShard shard, HeldLease lease, out ShardStartPosition position)
    {
        position = lease.Current.Checkpoint is { } stored
            ? stored.ResumePosition ?? throw new InvalidOperationException($"Shard {shard.ShardId} is finished and must not start again.")
            : ShardStartPosition.TrimHorizon;

        var sourceShard = SourceShardOf(shard.ShardId);
        var logger = loggers.CreateLogger<ShardConsumer>();
        var status = metrics.Track(sourceShard);
        var progress = new ShardProgress(options.Reading.MaxInFlightRecordsPerShard, options.Reading.MaxInFlightBytesPerShard, merge?.RoundLost ?? default);
        var router = new RecordRouter(source.KeySelector, (source.Shape ?? OutputShape.Default).CreateEncoder(source.TableName, source.StreamArn, shard.ShardId), options.Sink.MaxRecordBytes);
        return new ShardConsumer(
            new ShardReader(streams, sourceShard, position, options.Reading, time, loggers.CreateLogger<ShardReader>(), metrics, router.KeyPath),
            source.Filter,
            router,
            sink,
            deadLetterSink,
            progress,
            new ShardCheckpointer(lease, sourceShard, progress, options.Checkpoints, time, loggers.CreateLogger<ShardCheckpointer>(), status),
            lease,
            status,
            options.OnUndeliverable,
            options.Sink.MaxRecordBytes,
            time,
            logger,
            metrics,
            merge?.Attach(sourceShard, shard.ParentShardId, source.OrderValue, onDemand?.Gate),
            _floor);
    }

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Shard {Table}/{ShardId} stopped: lease lost; its new owner continues from the last checkpoint")]
    private partial void LogLeaseLost(string table, string shardId);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Source {Table} ({StreamArn}): {Shards} shards listed, {Checkpoints} leases stored")]
    private partial void LogDiscovered(string table, string streamArn, int shards, int checkpoints);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Starting shard {Table}/{ShardId} (parent {ParentShardId}) at {Position}")]
    private partial void LogStarting(string table, string shardId, string parentShardId, string position);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Shard {Table}/{ParentShardId} has children {Children}")]
    private partial void LogChildren(string table, string parentShardId, string children);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Shard discovery of {Table} failed: {Error}; retrying at the next interval")]
    private partial void LogDiscoveryFailed(string table, string error);
}
