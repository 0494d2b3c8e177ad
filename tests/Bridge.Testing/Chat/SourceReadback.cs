using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Testing.Chat;

/// <summary>One change as the source stream holds it: the order the bridge must keep per room.</summary>
public sealed record SourceChange(string ShardId, string SequenceNumber, string RoomId, string EventName);

/// <summary>Reads every record of a DynamoDB stream straight from the Streams API, as the truth to compare the output with.</summary>
public static class SourceReadback
{
    public static async Task<IReadOnlyList<SourceChange>> ReadAllAsync(IDynamoDbStreamsClient streams, string streamArn, CancellationToken cancellationToken = default) =>
        [.. (await ReadRecordsAsync(streams, streamArn, cancellationToken).ConfigureAwait(false))
            .Select(r => new SourceChange(r.ShardId, r.Record.SequenceNumber.Value, RoomOf(r.Record), r.Record.EventName))];

    /// <summary>The stream records themselves, shard after shard, each in its shard's order, JSON as the stream sent it.</summary>
    public static async Task<IReadOnlyList<(string ShardId, StreamRecord Record)>> ReadRecordsAsync(IDynamoDbStreamsClient streams, string streamArn, CancellationToken cancellationToken = default)
    {
        var description = await streams.DescribeAllShardsAsync(streamArn, cancellationToken).ConfigureAwait(false);
        var records = new List<(string, StreamRecord)>();
        foreach (var shard in description.Shards)
        {
            var iterator = await streams.GetShardIteratorAsync(streamArn, shard.ShardId, ShardIteratorType.TrimHorizon, null, cancellationToken).ConfigureAwait(false);
            while (iterator is not null)
            {
                var page = await streams.GetRecordsAsync(iterator, 1000, cancellationToken).ConfigureAwait(false);
                records.AddRange(page.Records.Select(r => (shard.ShardId, r)));
                iterator = page.Records.Length == 0 ? null : page.NextShardIterator;
            }
        }

        return records;
    }

    private static string RoomOf(StreamRecord record)
    {
        using var document = JsonDocument.Parse(record.Json);
        return document.RootElement.GetProperty("dynamodb").GetProperty("Keys").GetProperty("roomId").GetProperty("S").GetString()!;
    }
}
