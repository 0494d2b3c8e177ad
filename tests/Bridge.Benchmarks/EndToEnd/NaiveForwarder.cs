using System.Diagnostics;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary>The baseline: a stream-to-Kinesis forwarder written the simplest Lambda-style way.</summary>
/// <remarks>
/// One loop per shard: read a page, parse each record with <see cref="JsonDocument"/> for its key, send it in
/// PutRecords calls of 500 one after another, resend whatever failed at once, and read the next page. No ordering
/// guarantee (a resent entry lands after newer ones), no back-pressure, no checkpoints, no shard lineage. It uses the
/// same wire clients as the bridge, so the comparison is between forwarding designs, not HTTP stacks.
/// </remarks>
/// <param name="minPollInterval">Least time between the starts of two reads of a shard that returned records: zero
/// reads again at once (DynamoDB Streams sets no per-second limit on GetRecords); 250 ms is Lambda's 4 polls per
/// second per shard.</param>
internal sealed class NaiveForwarder(IDynamoDbStreamsClient streams, IKinesisClient kinesis, string streamArn, KinesisStreamRef target, bool fromLatest, TimeSpan minPollInterval)
{
    /// <summary>Lambda polls each DynamoDB stream shard 4 times per second.</summary>
    public static readonly TimeSpan LambdaPollInterval = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(250);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var description = await streams.DescribeStreamAsync(new DescribeStreamRequest(streamArn), cancellationToken);
        await Task.WhenAll(description.Shards.Where(s => s.EndingSequenceNumber is null || !fromLatest).Select(s => ForwardShardAsync(s.ShardId, cancellationToken)));
    }

    private async Task ForwardShardAsync(string shardId, CancellationToken cancellationToken)
    {
        try
        {
            string? iterator = await streams.GetShardIteratorAsync(streamArn, shardId, fromLatest ? ShardIteratorType.Latest : ShardIteratorType.TrimHorizon, null, cancellationToken);
            while (iterator is not null)
            {
                var started = Stopwatch.GetTimestamp();
                var page = await streams.GetRecordsAsync(iterator, 1000, cancellationToken);
                foreach (var chunk in page.Records.Chunk(500))
                {
                    var entries = chunk.Select(r => new PutRecordsEntry(KeyOf(r.Json), r.Json)).ToList();
                    while (entries.Count > 0)
                    {
                        var result = await kinesis.PutRecordsAsync(target, entries, cancellationToken);
                        entries = [.. entries.Where((_, i) => !result.Records[i].Succeeded)];
                    }
                }

                var wait = (page.Records.Length == 0 ? IdleWait : minPollInterval) - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                iterator = page.NextShardIterator;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public static string KeyOf(ReadOnlyMemory<byte> record)
    {
        using var document = JsonDocument.Parse(record);
        var dynamodb = document.RootElement.GetProperty("dynamodb");
        var image = dynamodb.TryGetProperty("NewImage", out var newImage) ? newImage : dynamodb.GetProperty("OldImage");
        return image.GetProperty("roomId").GetProperty("S").GetString()!;
    }
}
