using System.Collections.Concurrent;
using System.Diagnostics;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary>Reads the source stream itself from LATEST every few milliseconds and notes when each item id is first
/// readable there: the floor under both forwarders' latency, which neither of them adds.</summary>
/// <remarks>It polls far faster than AWS's 5 calls/s per shard allows; the emulator does not mind.</remarks>
internal sealed class StreamTail(IDynamoDbStreamsClient streams, string streamArn)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    private readonly List<string> _iterators = [];

    /// <summary>Item id → <see cref="Stopwatch"/> timestamp when first read from the stream.</summary>
    public ConcurrentDictionary<string, long> FirstSeen { get; } = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var description = await streams.DescribeStreamAsync(new DescribeStreamRequest(streamArn), cancellationToken);
        foreach (var shard in description.Shards.Where(s => s.EndingSequenceNumber is null))
        {
            _iterators.Add(await streams.GetShardIteratorAsync(streamArn, shard.ShardId, ShardIteratorType.Latest, null, cancellationToken));
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                for (var i = 0; i < _iterators.Count; i++)
                {
                    var page = await streams.GetRecordsAsync(_iterators[i], 1000, cancellationToken);
                    var now = Stopwatch.GetTimestamp();
                    foreach (var record in page.Records)
                    {
                        FirstSeen.TryAdd(ChatTable.IdOf(record.Json.Span), now);
                    }

                    _iterators[i] = page.NextShardIterator ?? _iterators[i];
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
