using System.Collections.Concurrent;
using System.Diagnostics;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary>Reads a stream from LATEST on every shard every 10 ms and notes when each item id is first readable there.</summary>
/// <remarks>
/// Two kinds: on a Kinesis target (when a forwarded change is readable by consumers) and on the DynamoDB source stream
/// (the floor under both forwarders' latency, which neither adds). The source tail polls far faster than anyone would
/// pay for against AWS (each GetRecords is a billed read request); DynamoDB Streams sets no per-second limit on it.
/// </remarks>
internal sealed class ItemTail
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    private readonly Func<CancellationToken, Task<List<string>>> _latestIterators;
    private readonly Func<string, CancellationToken, Task<(ReadOnlyMemory<byte>[] Records, string? Next)>> _read;
    private List<string> _iterators = [];

    private ItemTail(
        Func<CancellationToken, Task<List<string>>> latestIterators,
        Func<string, CancellationToken, Task<(ReadOnlyMemory<byte>[] Records, string? Next)>> read)
    {
        _latestIterators = latestIterators;
        _read = read;
    }

    /// <summary>Item id → <see cref="Stopwatch"/> timestamp when first read.</summary>
    public ConcurrentDictionary<string, long> FirstSeen { get; } = new();

    public static ItemTail OfKinesis(IKinesisClient kinesis, KinesisStreamRef stream) => new(
        async cancellationToken =>
        {
            var iterators = new List<string>();
            foreach (var shard in (await kinesis.ListShardsAsync(stream, null, cancellationToken)).Shards)
            {
                iterators.Add(await kinesis.GetShardIteratorAsync(stream, shard.ShardId, KinesisIteratorType.Latest, null, cancellationToken));
            }

            return iterators;
        },
        async (iterator, cancellationToken) =>
        {
            var page = await kinesis.GetRecordsAsync(iterator, 10_000, cancellationToken);
            return ([.. page.Records.Select(r => r.Data)], page.NextShardIterator);
        });

    public static ItemTail OfStream(IDynamoDbStreamsClient streams, string streamArn) => new(
        async cancellationToken =>
        {
            var iterators = new List<string>();
            var description = await streams.DescribeStreamAsync(new DescribeStreamRequest(streamArn), cancellationToken);
            foreach (var shard in description.Shards.Where(s => s.EndingSequenceNumber is null))
            {
                iterators.Add(await streams.GetShardIteratorAsync(streamArn, shard.ShardId, ShardIteratorType.Latest, null, cancellationToken));
            }

            return iterators;
        },
        async (iterator, cancellationToken) =>
        {
            var page = await streams.GetRecordsAsync(iterator, 1000, cancellationToken);
            return ([.. page.Records.Select(r => r.Json)], page.NextShardIterator);
        });

    /// <summary>Takes LATEST iterators on every shard: items written from now on will be seen.</summary>
    public async Task StartAsync(CancellationToken cancellationToken) => _iterators = await _latestIterators(cancellationToken);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                for (var i = 0; i < _iterators.Count; i++)
                {
                    var (records, next) = await _read(_iterators[i], cancellationToken);
                    var now = Stopwatch.GetTimestamp();
                    foreach (var record in records)
                    {
                        FirstSeen.TryAdd(ChatTable.IdOf(record.Span), now);
                    }

                    _iterators[i] = next ?? _iterators[i];
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
