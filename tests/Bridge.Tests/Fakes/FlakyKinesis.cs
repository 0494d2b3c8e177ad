using Bridge.Testing;
using System.Globalization;
using System.Net;
using System.Numerics;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;

namespace Bridge.Tests.Fakes;

/// <summary>A Kinesis stream in memory that fails on a schedule: whole requests, single entries, throttled target shards.</summary>
/// <remarks>
/// Every accepted entry is logged in acceptance order. <see cref="OnRequest"/> lets a test check each request
/// as it arrives, before anything in it is accepted, which is where the order invariant must hold.
/// </remarks>
internal sealed class FlakyKinesis : SinkSideKinesis
{
    private readonly Lock _lock = new();
    private readonly Random _random;
    private readonly List<KinesisShard> _shards;
    private readonly List<Accepted> _accepted = [];
    private long _nextSequence = 1;

    public FlakyKinesis(int shardCount = 4, int seed = 1)
    {
        _random = new Random(seed);
        _shards = [.. Enumerable.Range(0, shardCount).Select(i => Shard(i, shardCount))];
    }

    /// <summary>Chance that a whole request fails (after the wire client's own retries), in [0, 1].</summary>
    public double RequestFailure { get; set; }

    /// <summary>Chance that one entry comes back with an error code, in [0, 1].</summary>
    public double EntryFailure { get; set; }

    /// <summary>Entries per request a target shard takes before it throttles the rest; int.MaxValue for never.</summary>
    public int ShardCapacityPerRequest { get; set; } = int.MaxValue;

    /// <summary>Upper bound of the simulated request latency.</summary>
    public TimeSpan MaxLatency { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Called with each request's entries before any is accepted, and every entry accepted so far.</summary>
    public Action<IReadOnlyList<PutRecordsEntry>, IReadOnlyList<Accepted>>? OnRequest { get; set; }

    /// <summary>When set, every request throws it (a non-retryable failure, for example).</summary>
    public Exception? FailEverythingWith { get; set; }

    public int Requests { get; private set; }

    /// <summary>While set, requests wait here before being answered: Kinesis stalls.</summary>
    public TaskCompletionSource? Stall { get; set; }

    /// <summary>Entries received and not answered yet.</summary>
    public int PendingEntries => Volatile.Read(ref _pendingEntries);

    /// <summary>The most entries ever pending at once.</summary>
    public int MaxPendingEntries => Volatile.Read(ref _maxPendingEntries);

    private int _pendingEntries;
    private int _maxPendingEntries;

    public IReadOnlyList<Accepted> AcceptedEntries
    {
        get
        {
            lock (_lock)
            {
                return [.. _accepted];
            }
        }
    }

    public override async Task<PutRecordsResult> PutRecordsAsync(KinesisStreamRef stream, IReadOnlyList<PutRecordsEntry> entries, CancellationToken cancellationToken)
    {
        var pending = Interlocked.Add(ref _pendingEntries, entries.Count);
        InterlockedMax(ref _maxPendingEntries, pending);
        try
        {
            await Task.Delay(NextLatency(), cancellationToken);
            if (Stall is { } stall)
            {
                await stall.Task.WaitAsync(cancellationToken);
            }

            return Answer(stream, entries);
        }
        finally
        {
            Interlocked.Add(ref _pendingEntries, -entries.Count);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private PutRecordsResult Answer(KinesisStreamRef stream, IReadOnlyList<PutRecordsEntry> entries)
    {
        lock (_lock)
        {
            Requests++;
            if (FailEverythingWith is { } fatal)
            {
                throw fatal;
            }

            OnRequest?.Invoke(entries, _accepted);
            if (_random.NextDouble() < RequestFailure)
            {
                throw _random.Next(2) == 0
                    ? new InternalFailureException("InternalFailure", "Injected.", HttpStatusCode.InternalServerError, "fake")
                    : new ProvisionedThroughputExceededException("Injected.", HttpStatusCode.BadRequest, "fake");
            }

            var perShard = new Dictionary<string, int>();
            var results = new PutRecordsResultEntry[entries.Count];
            var failed = 0;
            for (var i = 0; i < entries.Count; i++)
            {
                var shardId = ShardOf(entries[i].PartitionKey);
                var taken = perShard.GetValueOrDefault(shardId);
                if (taken >= ShardCapacityPerRequest)
                {
                    results[i] = new PutRecordsResultEntry(null, null, "ProvisionedThroughputExceededException", "Rate exceeded for shard " + shardId);
                    failed++;
                    continue;
                }

                if (_random.NextDouble() < EntryFailure)
                {
                    results[i] = _random.Next(2) == 0
                        ? new PutRecordsResultEntry(null, null, "InternalFailure", "Internal service failure.")
                        : new PutRecordsResultEntry(null, null, "ProvisionedThroughputExceededException", "Rate exceeded.");
                    failed++;
                    continue;
                }

                perShard[shardId] = taken + 1;
                var sequence = (_nextSequence++).ToString(CultureInfo.InvariantCulture);
                _accepted.Add(new Accepted(entries[i].PartitionKey, entries[i].Data.ToArray(), shardId, sequence, stream.ToString()));
                results[i] = new PutRecordsResultEntry(sequence, shardId, null, null);
            }

            return new PutRecordsResult(failed, results);
        }
    }

    public override Task<ListShardsPage> ListShardsAsync(KinesisStreamRef stream, string? nextToken, CancellationToken cancellationToken)
    {
        // Two pages, to exercise the paging.
        var half = (_shards.Count + 1) / 2;
        return Task.FromResult(nextToken is null
            ? new ListShardsPage(_shards.Take(half).ToList(), _shards.Count > half ? "page2" : null)
            : new ListShardsPage(_shards.Skip(half).ToList(), null));
    }

    public override Task<KinesisStreamSummary> DescribeStreamSummaryAsync(KinesisStreamRef stream, CancellationToken cancellationToken) =>
        Task.FromResult(new KinesisStreamSummary("target", "arn:aws:kinesis:us-east-1:000000000000:stream/target", "ACTIVE", _shards.Count, 24, null));


    private string ShardOf(string partitionKey)
    {
        var hash = global::Bridge.Sink.TargetShardMap.HashKeyOf(partitionKey);
        return _shards.Last(s => UInt128.Parse(s.StartingHashKey, CultureInfo.InvariantCulture) <= hash).ShardId;
    }

    private TimeSpan NextLatency()
    {
        lock (_lock)
        {
            return TimeSpan.FromTicks((long)(_random.NextDouble() * MaxLatency.Ticks));
        }
    }

    private static KinesisShard Shard(int index, int count)
    {
        var width = UInt128.MaxValue / (UInt128)count;
        var start = width * (UInt128)index;
        var end = index == count - 1 ? UInt128.MaxValue : start + width - 1;
        return new KinesisShard($"shardId-{index:D12}", null, null, start.ToString(CultureInfo.InvariantCulture), end.ToString(CultureInfo.InvariantCulture), null);
    }

    internal sealed record Accepted(string PartitionKey, byte[] Data, string ShardId, string SequenceNumber, string Stream);
}
