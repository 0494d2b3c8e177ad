using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary>The target alone: the backlog's records, read from the source in advance, written to Kinesis as fast as
/// PutRecords of 500 with several requests in flight goes. Nothing forwards faster than the target takes records, so
/// this is the catch-up ceiling of the machine the benchmark runs on, whatever the forwarder.</summary>
internal sealed class TargetCeiling(IReadOnlyList<PutRecordsEntry> entries, IKinesisClient kinesis, KinesisStreamRef target)
{
    /// <summary>Requests in flight: enough to keep a target busy while the client side of each round trip runs.</summary>
    public const int Concurrency = 4;

    /// <summary>Reads the first <paramref name="count"/> records of the stream (each shard from its trim horizon to its
    /// first empty page), keyed as the baseline keys them; fails if the stream holds fewer.</summary>
    public static async Task<IReadOnlyList<PutRecordsEntry>> ReadAsync(IDynamoDbStreamsClient streams, string streamArn, int count, CancellationToken cancellationToken)
    {
        var entries = new List<PutRecordsEntry>(count);
        var description = await streams.DescribeStreamAsync(new DescribeStreamRequest(streamArn), cancellationToken);
        foreach (var shard in description.Shards)
        {
            string? iterator = await streams.GetShardIteratorAsync(streamArn, shard.ShardId, ShardIteratorType.TrimHorizon, null, cancellationToken);
            while (iterator is not null && entries.Count < count)
            {
                var page = await streams.GetRecordsAsync(iterator, 1000, cancellationToken);
                entries.AddRange(page.Records.Take(count - entries.Count).Select(r => new PutRecordsEntry(NaiveForwarder.KeyOf(r.Json), r.Json)));
                iterator = page.Records.Length == 0 ? null : page.NextShardIterator;
            }
        }

        return entries.Count == count ? entries : throw new InvalidOperationException($"The stream holds {entries.Count} records, not {count}.");
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var next = -1;
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
            {
                for (var chunk = Interlocked.Increment(ref next); chunk * 500 < entries.Count; chunk = Interlocked.Increment(ref next))
                {
                    var pending = entries.Skip(chunk * 500).Take(500).ToList();
                    while (pending.Count > 0)
                    {
                        var result = await kinesis.PutRecordsAsync(target, pending, cancellationToken);
                        pending = [.. pending.Where((_, i) => !result.Records[i].Succeeded)];
                    }
                }
            }));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
