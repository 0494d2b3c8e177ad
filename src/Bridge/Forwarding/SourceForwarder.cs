using System.Runtime.ExceptionServices;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Protocol;
using Bridge.Coordination;
using Bridge.Routing;
using Bridge.Sink;
using Bridge.Source;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Forwarding;

/// <summary>Forwards one source stream: keeps its shard lineage and runs one consumer per shard that may be read.</summary>
/// <remarks>
/// The only place that decides when a shard starts: at start-up for shards whose parents are done, at a
/// parent's SHARD_END for its children (looked up at once, not at the next periodic discovery), and at
/// each discovery for shards that appeared otherwise.
/// </remarks>
internal sealed partial class SourceForwarder(
    ResolvedSource source,
    IDynamoDbStreamsClient streams,
    ICheckpointStore store,
    KinesisSink sink,
    KinesisSink? deadLetterSink,
    BridgeOptions options,
    TimeProvider time,
    ILoggerFactory loggers,
    BridgeMetrics metrics)
{
    private readonly ILogger _logger = loggers.CreateLogger<SourceForwarder>();
    private readonly ShardLineage _lineage = new();
    private readonly Dictionary<string, ShardCheckpoint> _checkpoints = new(StringComparer.Ordinal);

    /// <summary>Running consumers, by the shard they own: one at most per shard.</summary>
    private readonly Dictionary<Task<ShardOutcome>, string> _running = [];

    public async Task RunAsync(CancellationToken stopReading, CancellationToken drainDeadline)
    {
        foreach (var (shardId, checkpoint) in await store.LoadAsync(source.StreamArn, stopReading).ConfigureAwait(false))
        {
            _checkpoints[shardId] = checkpoint;
        }

        var shards = (await streams.DescribeAllShardsAsync(source.StreamArn, stopReading).ConfigureAwait(false)).Shards;
        if (_checkpoints.Count == 0 && options.StartAtLatest)
        {
            await InitializeAtLatestAsync(shards, stopReading).ConfigureAwait(false);
        }

        _lineage.Observe(shards);
        foreach (var checkpoint in _checkpoints.Values.Where(c => c.Checkpoint.Kind == CheckpointKind.ShardEnd))
        {
            _lineage.MarkFinished(checkpoint.ShardId);
        }

        LogDiscovered(source.TableName, source.StreamArn, shards.Count, _checkpoints.Count);
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(stopReading);
        Exception? failure = null;
        StartReady(stopAll.Token, drainDeadline);
        var discovery = Task.Delay(options.DiscoveryInterval, time, stopAll.Token);
        while (_running.Count > 0 || !stopAll.IsCancellationRequested)
        {
            var waitFor = stopAll.IsCancellationRequested ? _running.Keys : _running.Keys.Append(discovery);
            var done = await Task.WhenAny(waitFor).ConfigureAwait(false);
            if (done == discovery)
            {
                if (!stopAll.IsCancellationRequested)
                {
                    await DiscoverAsync(stopAll.Token).ConfigureAwait(false);
                    StartReady(stopAll.Token, drainDeadline);
                    discovery = Task.Delay(options.DiscoveryInterval, time, stopAll.Token);
                }

                continue;
            }

            var consumer = (Task<ShardOutcome>)done;
            var shardId = _running[consumer];
            _running.Remove(consumer);
            try
            {
                await OnConsumerDoneAsync(shardId, await consumer.ConfigureAwait(false), stopAll.Token).ConfigureAwait(false);
                StartReady(stopAll.Token, drainDeadline);
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

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private async Task OnConsumerDoneAsync(string shardId, ShardOutcome outcome, CancellationToken cancellationToken)
    {
        switch (outcome)
        {
            case ShardOutcome.Ended:
                _lineage.MarkFinished(shardId);
                _checkpoints[shardId] = new ShardCheckpoint(shardId, _lineage.Find(shardId)?.ParentShardId, Checkpoint.ShardEnd);
                await FindChildrenAsync(shardId, cancellationToken).ConfigureAwait(false);
                break;
            case ShardOutcome.Stopped:
                _lineage.MarkStopped(shardId);
                break;
            case ShardOutcome.Blocked:
                // Stays marked started: a blocked shard is not retried behind the operator's back.
                break;
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
            catch (Exception ex) when (IsTransient(ex))
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
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            LogDiscoveryFailed(source.TableName, ex.Message);
        }
    }

    /// <summary>
    /// First start with LATEST: open shards start at their tip, closed ones are recorded as finished so
    /// their history is not read; both are stored, so a restart continues instead of jumping to the tip again.
    /// </summary>
    private async Task InitializeAtLatestAsync(IReadOnlyList<StreamShard> shards, CancellationToken cancellationToken)
    {
        foreach (var shard in shards)
        {
            var checkpoint = new ShardCheckpoint(shard.ShardId, shard.ParentShardId, shard.EndingSequenceNumber is null ? Checkpoint.Latest : Checkpoint.ShardEnd);
            await store.SaveAsync(source.StreamArn, checkpoint, cancellationToken).ConfigureAwait(false);
            _checkpoints[shard.ShardId] = checkpoint;
        }
    }

    private void StartReady(CancellationToken stopReading, CancellationToken drainDeadline)
    {
        if (stopReading.IsCancellationRequested)
        {
            // Stopping: a shard that just stopped must not be started again.
            return;
        }

        foreach (var shard in _lineage.TakeStartable())
        {
            var consumer = CreateConsumer(shard, out var position);
            LogStarting(source.TableName, shard.ShardId, shard.ParentShardId ?? "(none)", position.ToString());
            _running.Add(Task.Run(() => consumer.RunAsync(stopReading, drainDeadline), CancellationToken.None), shard.ShardId);
        }
    }

    private ShardConsumer CreateConsumer(StreamShard shard, out ShardStartPosition position)
    {
        position = _checkpoints.TryGetValue(shard.ShardId, out var stored) ? stored.Checkpoint.Kind switch
        {
            CheckpointKind.AfterSequence => ShardStartPosition.After(stored.Checkpoint.Sequence),
            CheckpointKind.Latest => ShardStartPosition.Latest,
            _ => throw new InvalidOperationException($"Shard {shard.ShardId} is finished and must not start again."),
        }
        : ShardStartPosition.TrimHorizon;

        var sourceShard = new SourceShard(source.TableName, source.StreamArn, shard.ShardId);
        var logger = loggers.CreateLogger<ShardConsumer>();
        var status = metrics.Track(sourceShard);
        var progress = new ShardProgress(options.Reading.MaxInFlightRecordsPerShard, options.Reading.MaxInFlightBytesPerShard);
        return new ShardConsumer(
            new ShardReader(streams, sourceShard, position, options.Reading, time, loggers.CreateLogger<ShardReader>(), metrics),
            new RecordRouter(source.KeySelector, new OutputRecordEncoder(source.TableName, source.StreamArn, shard.ShardId), options.Sink.MaxRecordBytes),
            sink,
            deadLetterSink,
            progress,
            new ShardCheckpointer(store, sourceShard, shard.ParentShardId, progress, options.Checkpoints, time, loggers.CreateLogger<ShardCheckpointer>(), status),
            status,
            options.OnUndeliverable,
            options.Sink.MaxRecordBytes,
            time,
            logger,
            metrics);
    }

    /// <summary>Source errors that pass with time (throttling, the service or the network briefly gone); anything else is fatal.</summary>
    internal static bool IsTransient(Exception ex) =>
        ex is ThrottlingException or LimitExceededException or InternalFailureException or HttpRequestException or TimeoutException;

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Source {Table} ({StreamArn}): {Shards} shards listed, {Checkpoints} checkpoints stored")]
    private partial void LogDiscovered(string table, string streamArn, int shards, int checkpoints);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Starting shard {Table}/{ShardId} (parent {ParentShardId}) at {Position}")]
    private partial void LogStarting(string table, string shardId, string parentShardId, string position);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Shard {Table}/{ParentShardId} has children {Children}")]
    private partial void LogChildren(string table, string parentShardId, string children);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Shard discovery of {Table} failed: {Error}; retrying at the next interval")]
    private partial void LogDiscoveryFailed(string table, string error);
}
