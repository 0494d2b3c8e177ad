using System.Text.Json;
using Bridge.Aws.Kinesis;

namespace Bridge.Testing.Chat;

/// <summary>One record read back from the target stream, with the fields the bridge promises to carry.</summary>
public sealed record ForwardedRecord(string TargetShardId, string PartitionKey, string SourceShardId, string SequenceNumber, string EventName, string TableName, DateTimeOffset? ArrivedAt, long? SentAtMs);

/// <summary>Reads a whole Kinesis stream from TRIM_HORIZON, every shard, and parses the bridge's output records
/// (taking KPL aggregates apart, as a KPL-aware consumer does).</summary>
public static class KinesisReadback
{
    public static async Task<IReadOnlyList<ForwardedRecord>> ReadAllAsync(IKinesisClient kinesis, string streamName, CancellationToken cancellationToken = default) =>
        [.. (await ReadKinesisRecordsAsync(kinesis, streamName, cancellationToken).ConfigureAwait(false)).SelectMany(r => Parse(r.ShardId, r.Record))];

    /// <summary>The Kinesis records themselves, aggregates not taken apart, with the shard each was read from.</summary>
    public static async Task<IReadOnlyList<(string ShardId, KinesisRecord Record)>> ReadKinesisRecordsAsync(IKinesisClient kinesis, string streamName, CancellationToken cancellationToken = default)
    {
        var stream = KinesisStreamRef.FromName(streamName);
        var result = new List<(string, KinesisRecord)>();
        var shards = await kinesis.ListAllShardsAsync(stream, cancellationToken).ConfigureAwait(false);
        foreach (var shard in shards)
        {
            var iterator = await kinesis.GetShardIteratorAsync(stream, shard.ShardId, KinesisIteratorType.TrimHorizon, null, cancellationToken).ConfigureAwait(false);
            while (iterator is not null)
            {
                var page = await kinesis.GetRecordsAsync(iterator, 10_000, cancellationToken).ConfigureAwait(false);
                result.AddRange(page.Records.Select(r => (shard.ShardId, r)));
                iterator = page.Records.Length == 0 || page.MillisBehindLatest == 0 && page.Records.Length < 10_000 ? null : page.NextShardIterator;
            }
        }

        return result;
    }

    /// <summary>The stream records in one Kinesis record: one, or an aggregate's, in order.</summary>
    public static IEnumerable<ForwardedRecord> Parse(string targetShardId, KinesisRecord record) =>
        KplDeaggregator.Deaggregate(record.PartitionKey, record.Data.ToArray()).Select(r => Parse(targetShardId, record, r.PartitionKey, r.Data));

    private static ForwardedRecord Parse(string targetShardId, KinesisRecord record, string partitionKey, byte[] data)
    {
        using var document = JsonDocument.Parse(data);
        var root = document.RootElement;
        var dynamodb = root.GetProperty("dynamodb");
        long? sentAt = null;
        if (dynamodb.TryGetProperty("NewImage", out var image) && image.TryGetProperty("sentAtMs", out var sent))
        {
            sentAt = long.Parse(sent.GetProperty("N").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        }

        return new ForwardedRecord(
            targetShardId,
            partitionKey,
            root.GetProperty("sourceShardId").GetString()!,
            dynamodb.GetProperty("SequenceNumber").GetString()!,
            root.GetProperty("eventName").GetString()!,
            root.GetProperty("tableName").GetString()!,
            record.ApproximateArrivalTimestamp,
            sentAt);
    }
}
