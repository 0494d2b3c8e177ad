using Bridge.Aws.DynamoDbStreams;
using Bridge.Coordination;
using Bridge.Forwarding;
using Bridge.Source;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Backfill;

/// <summary>Fills a <see cref="SnapshotFloor"/> this process did not fill whole by its own scan (a resumed run, a restart
/// or a new merge round before the floor was released), or the <see cref="ItemOrderGate"/> of an on-demand run a new
/// merge round takes over, from the source's stream: every record from each shard's
/// checkpoint to the stream's tip, or to a record surely written after the rebuild began, raises its item's floor to
/// the record's order value.</summary>
/// <remarks>
/// <para>Why the stream and not the table: a stream record older than its item's snapshot is followed, in its shard, by
/// the record of the write the snapshot read (each item's records are in write order, and the writer stamps every write
/// later than the one before). That write was made before the scan ended, so before this rebuild began; reading to the
/// tip from at least <see cref="Settle"/> after the start, or to a record created after that, therefore finds it, and
/// the item's floor is at least its snapshot's. This holds for an item deleted since its snapshot too, which a table can no longer show: its REMOVE of an
/// earlier life stays below the floor its later life sets.</para>
/// <para>A floor read this way is each item's newest state in the stream, at or above its snapshot's: it suppresses more
/// intermediate states, never an item's last record (its order value is the highest). Only records past the checkpoints
/// are read, because only they are still to be forwarded; the memory is one entry per item changed since, not per item of
/// the table.</para>
/// </remarks>
internal sealed partial class FloorRebuild(
    IDynamoDbStreamsClient streams,
    ILeaseStore leases,
    ReaderOptions reading,
    TimeProvider time,
    ILoggerFactory loggers,
    BridgeMetrics metrics)
{
    /// <summary>How long after the rebuild begins its reads count as reaching the tip: room for a write made before the
    /// start to show in the stream (the service publishes within about a second).</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    /// <summary>How far stream creation times may lag a write: DynamoDB rounds them down (DynamoDB Local to the minute). A
    /// record created this long after <see cref="Settle"/> ran out is surely of a write made after the rebuild began, and
    /// so is every record after it in its shard: reading stops there, so a busy shard's moving tip is not chased.</summary>
    public static readonly TimeSpan CreationTimeRounding = TimeSpan.FromMinutes(1);

    /// <summary>Shards read at once; DynamoDB Streams allows two readers per shard, and the consumers have not started.</summary>
    private const int ConcurrentShards = 8;

    private readonly ILogger _logger = loggers.CreateLogger<FloorRebuild>();

    public async Task RebuildAsync(ResolvedSource source, IOrderFloor floor, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var settled = time.GetUtcNow() + Settle;
        var past = settled + CreationTimeRounding;
        var checkpoints = (await leases.ListAsync([source.StreamArn], cancellationToken).ConfigureAwait(false))
            .ToDictionary(lease => lease.ShardId, lease => lease.Checkpoint, StringComparer.Ordinal);
        var shards = (await streams.DescribeAllShardsAsync(source.StreamArn, cancellationToken).ConfigureAwait(false)).Shards;
        long records = 0;
        var read = 0;
        await Parallel.ForEachAsync(
            shards,
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentShards, CancellationToken = cancellationToken },
            async (shard, token) =>
            {
                // A shard with no lease yet was found after the leases were made: its consumer starts at TRIM_HORIZON.
                var position = checkpoints.TryGetValue(shard.ShardId, out var checkpoint) && checkpoint is { } stored
                    ? stored.ResumePosition
                    : ShardStartPosition.TrimHorizon;
                if (position is not { Kind: not ShardStartKind.Latest } from)
                {
                    // Finished (nothing left to forward), or starting at LATEST (nothing written before it is read).
                    return;
                }

                Interlocked.Add(ref records, await ReadShardAsync(new SourceShard(source.TableName, source.StreamArn, shard.ShardId), from, floor, settled, past, token).ConfigureAwait(false));
                Interlocked.Increment(ref read);
            }).ConfigureAwait(false);

        LogRebuilt(source.TableName, read, records, floor.Count, time.GetElapsedTime(started).TotalSeconds);
    }

    /// <returns>The records read.</returns>
    private async Task<long> ReadShardAsync(SourceShard shard, ShardStartPosition from, IOrderFloor floor, DateTimeOffset settled, DateTimeOffset past, CancellationToken cancellationToken)
    {
        var reader = new ShardReader(streams, shard, from, reading, time, loggers.CreateLogger<ShardReader>(), metrics);
        long records = 0;
        var failures = 0;
        while (true)
        {
            ShardPage page;
            try
            {
                page = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception ex) when (TransientFailure.Is(ex, cancellationToken))
            {
                if (++failures == 1)
                {
                    LogReadFailing(shard.TableName, shard.ShardId, ex.Message);
                }

                await Task.Delay(ShardConsumer.ReadRetry.DelayBefore(failures), time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var record in page.Records)
            {
                // A record without a usable order value is undeliverable when its turn comes; it raises no floor.
                floor.TryRaise(record, out _);
            }

            records += page.Records.Length;

            // An empty page that is not the tip is a renewed iterator, or a shard nothing was written to yet (then nothing was read).
            var atTip = page.AtTip || (page.Records.Length == 0 && records == 0);
            if (page.IsEnd || (atTip && time.GetUtcNow() >= settled) || (page.Records.Length > 0 && page.Records[^1].ApproximateCreationDateTime >= past))
            {
                return records;
            }
        }
    }

    [LoggerMessage(EventId = 1522, Level = LogLevel.Information, Message = "Snapshot floor of {Table} rebuilt from its stream: {Shards} shards read from their checkpoints to the tip, {Records} records, {Floors} floors, in {Seconds:F1} s")]
    private partial void LogRebuilt(string table, int shards, long records, int floors, double seconds);

    [LoggerMessage(EventId = 1526, Level = LogLevel.Warning, Message = "Reading shard {Table}/{ShardId} for the snapshot floor failed: {Error}; retrying")]
    private partial void LogReadFailing(string table, string shardId, string error);
}
