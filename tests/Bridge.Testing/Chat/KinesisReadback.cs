using System.Text.Json;
using Bridge.Aws.Kinesis;

namespace Bridge.Testing.Chat;

/// <summary>One record read back from the target stream, with the fields the bridge promises to carry.</summary>
public sealed record ForwardedRecord(string TargetShardId, string PartitionKey, string SourceShardId, string SequenceNumber, string EventName, string TableName, DateTimeOffset? ArrivedAt, long? SentAtMs);

/// <summary>Reads a whole Kinesis stream from TRIM_HORIZON, every shard, and parses the bridge's output records.</summary>
public static class KinesisReadback
{
    public static async Task<IReadOnlyList<ForwardedRecord>> ReadAllAsync(IKinesisClient kinesis, string streamName, CancellationToken cancellationToken = default)
    {
        var stream = KinesisStreamRef.FromName(streamName);
        var result = new List<ForwardedRecord>();
        var shards = await kinesis.ListAllShardsAsync(stream, cancellationToken).ConfigureAwait(false);
        foreach (var shard in shards)
        {
            var iterator = await kinesis.GetShardIteratorAsync(stream, shard.ShardId, KinesisIteratorType.TrimHorizon, null, cancellationToken).ConfigureAwait(false);
            while (iterator is not null)
            {
                var page = await kinesis.GetRecordsAsync(iterator, 10_000, cancellationToken).ConfigureAwait(false);
                result.AddRange(page.Records.Select(r => Parse(shard.ShardId, r)));
                iterator = page.Records.Length == 0 || page.MillisBehindLatest == 0 && page.Records.Length < 10_000 ? null : page.NextShardIterator;
            }
        }

        return result;
    }

    public static ForwardedRecord Parse(string targetShardId, KinesisRecord record)
    {
        using var document = JsonDocument.Parse(record.Data);
        var root = document.RootElement;
        var dynamodb = root.GetProperty("dynamodb");
        long? sentAt = null;
        if (dynamodb.TryGetProperty("NewImage", out var image) && image.TryGetProperty("sentAtMs", out var sent))
        {
            sentAt = long.Parse(sent.GetProperty("N").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        }

        return new ForwardedRecord(
            targetShardId,
            record.PartitionKey,
            root.GetProperty("sourceShardId").GetString()!,
            dynamodb.GetProperty("SequenceNumber").GetString()!,
            root.GetProperty("eventName").GetString()!,
            root.GetProperty("tableName").GetString()!,
            record.ApproximateArrivalTimestamp,
            sentAt);
    }
}
