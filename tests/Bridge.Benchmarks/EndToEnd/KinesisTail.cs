using System.Collections.Concurrent;
using System.Diagnostics;
using Bridge.Aws.Kinesis;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary>Reads a Kinesis stream from LATEST on every shard, every few milliseconds, and notes when each message
/// id is first readable.</summary>
internal sealed class KinesisTail(IKinesisClient kinesis, KinesisStreamRef stream)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    private readonly List<string> _iterators = [];

    /// <summary>Message id → <see cref="Stopwatch"/> timestamp when first read.</summary>
    public ConcurrentDictionary<string, long> FirstSeen { get; } = new();

    /// <summary>Takes LATEST iterators on every shard: records written from now on will be seen.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var shards = await kinesis.ListShardsAsync(stream, null, cancellationToken);
        foreach (var shard in shards.Shards)
        {
            _iterators.Add(await kinesis.GetShardIteratorAsync(stream, shard.ShardId, KinesisIteratorType.Latest, null, cancellationToken));
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
                    var page = await kinesis.GetRecordsAsync(_iterators[i], 10_000, cancellationToken);
                    var now = Stopwatch.GetTimestamp();
                    foreach (var record in page.Records)
                    {
                        FirstSeen.TryAdd(ChatTable.IdOf(record.Data.Span), now);
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
