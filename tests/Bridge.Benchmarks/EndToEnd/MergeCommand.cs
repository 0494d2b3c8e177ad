using System.Diagnostics;
using Amazon.DynamoDBv2;
using Bridge.Aws.Kinesis;
using Bridge.Forwarding;
using Bridge.Ordering;
using Bridge.Routing;
using Bridge.Testing;
using Bridge.Testing.Chat;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary><c>merge</c>: the price of Merge mode, Shard mode and Merge mode side by side in one run on the same
/// workload: chat messages over three DynamoDB Local tables (one room's messages in all three) → kinesalite.</summary>
/// <remarks>
/// Catch-up: after one warm-up of each, the two modes alternate (Shard, Merge, Shard, Merge, …) on the same backlog,
/// each from TRIM_HORIZON with fresh leases, timed until Kinesis acknowledged as many records as the backlog holds;
/// each pair gives a Merge/Shard ratio. Live: each mode, started at LATEST, forwards messages written at a steady rate
/// while a tail reads the target, noting when each message is first readable there (end to end from its PutItem).
/// Everything runs on 127.0.0.1; every loop is bounded in count and time.
/// </remarks>
internal static class MergeCommand
{
    private const int TargetShards = 4;

    private static readonly string[] Tables = ["merge-orders", "merge-lines", "merge-notes"];

    public static async Task<int> RunAsync(bool smoke)
    {
        var backlog = smoke ? 300 : 15_000;
        var pairs = smoke ? 1 : 3;
        var rate = smoke ? 20 : 50;
        var liveFor = TimeSpan.FromSeconds(smoke ? 2 : 15);
        var limit = TimeSpan.FromSeconds(smoke ? 20 : 120);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(smoke ? 2 : 12));
        var cancellationToken = timeout.Token;

        await using var aws = await LocalEmulators.StartAsync(cancellationToken);
        var (streams, kinesis, dynamoDb) = (aws.Streams, aws.Kinesis, aws.DynamoDb);

        var messages = new RoomMessages(dynamoDb, Tables, rooms: 100, seed: 1);
        await messages.CreateTablesAsync(cancellationToken);
        var streamArns = new List<string>();
        foreach (var table in Tables)
        {
            streamArns.Add((await dynamoDb.DescribeTableAsync(table, cancellationToken)).Table.LatestStreamArn);
        }

        var target = await kinesis.CreateActiveStreamAsync("merge-target", TargetShards, cancellationToken);
        var writing = Stopwatch.GetTimestamp();
        await messages.WriteBacklogAsync(backlog, cancellationToken);
        Console.WriteLine($"Backlog of {backlog} messages over {Tables.Length} tables written to DynamoDB Local in {Stopwatch.GetElapsedTime(writing).TotalSeconds:F1} s.");

        IAsyncDisposable Run(OrderingMode mode, CountingKinesis counting, bool latest)
        {
            var options = InProcessBridge.DefaultOptions();
            options.Target.StreamName = target.Name!;
            options.StartPosition = latest ? "LATEST" : "TRIM_HORIZON";
            options.Ordering.Mode = mode;
            var orderBy = mode == OrderingMode.Merge ? OrderValueSelector.For("ts") : null;
            return new InProcessBridge(streams, counting, options, [.. Tables.Select((t, i) => new ResolvedSource(t, streamArns[i], new PartitionKeySelector("roomId"), orderBy))]);
        }

        await CatchUpAsync(backlog, limit, counting => Run(OrderingMode.Shard, counting, latest: false), kinesis, cancellationToken);
        await CatchUpAsync(backlog, limit, counting => Run(OrderingMode.Merge, counting, latest: false), kinesis, cancellationToken);
        var catchUp = new ResultTable($"Merge vs Shard catch-up: {backlog} messages over {Tables.Length} DynamoDB Local tables → kinesalite ({TargetShards} shards), alternated",
            ["pair", "Shard records/s", "Merge records/s", "Merge/Shard"]);
        var ratios = new List<double>();
        var ok = true;
        for (var pair = 1; pair <= pairs; pair++)
        {
            var shard = await CatchUpAsync(backlog, limit, counting => Run(OrderingMode.Shard, counting, latest: false), kinesis, cancellationToken);
            var merge = await CatchUpAsync(backlog, limit, counting => Run(OrderingMode.Merge, counting, latest: false), kinesis, cancellationToken);
            ok &= shard.Acknowledged >= backlog && merge.Acknowledged >= backlog;
            ratios.Add(merge.RecordsPerSecond / shard.RecordsPerSecond);
            catchUp.Add(pair.ToString(), shard.RecordsPerSecond.ToString("N0"), merge.RecordsPerSecond.ToString("N0"), ratios[^1].ToString("F2") + "×");
        }

        catchUp.Print();
        var median = ratios.Order().ElementAt(ratios.Count / 2);
        Console.WriteLine($"Catch-up target Merge ≥ 0.8× Shard: median {median:F2}× ({(median >= 0.8 ? "met" : "MISSED")}).");

        var lateness = new OrderingOptions().Lateness.TotalMilliseconds;
        var idlePoll = new Bridge.Source.ReaderOptions().IdlePollInterval.TotalMilliseconds;
        var shardLive = await LiveAsync(messages, rate, liveFor, kinesis, target, counting => Run(OrderingMode.Shard, counting, latest: true), cancellationToken);
        var mergeLive = await LiveAsync(messages, rate, liveFor, kinesis, target, counting => Run(OrderingMode.Merge, counting, latest: true), cancellationToken);
        var live = new ResultTable($"Merge vs Shard live latency, {rate} messages/s over {Tables.Length} tables for {liveFor.TotalSeconds:F0} s: PutItem completed → readable in Kinesis",
            ["mode", "samples", "missing", "p50 ms", "p95 ms", "p99 ms", "max ms"]);
        foreach (var (name, samples, missing) in new[] { ("Shard", shardLive.Samples, shardLive.Missing), ("Merge", mergeLive.Samples, mergeLive.Missing) })
        {
            live.Add(name, samples.Length.ToString(), missing.ToString(), P(samples, 0.5), P(samples, 0.95), P(samples, 0.99), P(samples, 1));
        }

        live.Print();
        var added = Percentiles.Of(mergeLive.Samples, 0.99) - Percentiles.Of(shardLive.Samples, 0.99);
        Console.WriteLine($"Latency target: Merge adds {added:F0} ms at p99 ≤ Lateness {lateness:F0} ms + idle poll {idlePoll:F0} ms = {lateness + idlePoll:F0} ms: {(added <= lateness + idlePoll ? "met" : "MISSED")}.");
        ok &= shardLive.Missing == 0 && mergeLive.Missing == 0;
        return ok ? 0 : 1;
    }

    private static string P(double[] samples, double q) => Percentiles.Of(samples, q).ToString("F0");

    private static async Task<(long Acknowledged, double RecordsPerSecond)> CatchUpAsync(int backlog, TimeSpan limit, Func<CountingKinesis, IAsyncDisposable> start, IKinesisClient kinesis, CancellationToken cancellationToken)
    {
        var counting = new CountingKinesis(kinesis);
        var began = Stopwatch.GetTimestamp();
        double seconds;
        await using (start(counting))
        {
            while (counting.Acknowledged < backlog && Stopwatch.GetElapsedTime(began) < limit)
            {
                await Task.Delay(10, cancellationToken);
            }

            seconds = Stopwatch.GetElapsedTime(began).TotalSeconds;
        }

        return (counting.Acknowledged, Math.Min(counting.Acknowledged, backlog) / seconds);
    }

    private static async Task<(double[] Samples, int Missing)> LiveAsync(RoomMessages messages, int rate, TimeSpan duration, IKinesisClient kinesis, KinesisStreamRef target, Func<CountingKinesis, IAsyncDisposable> start, CancellationToken cancellationToken)
    {
        var tail = ItemTail.OfKinesis(kinesis, target);
        await tail.StartAsync(cancellationToken);
        using var stopTail = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tailing = tail.RunAsync(stopTail.Token);
        Dictionary<string, long> written;
        await using (start(new CountingKinesis(kinesis)))
        {
            // The bridge takes LATEST iterators as it starts: give it a moment, so the first writes are not before them.
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            written = await messages.WriteSteadilyAsync(rate, duration, cancellationToken);
            var waiting = Stopwatch.GetTimestamp();
            while (written.Keys.Any(id => !tail.FirstSeen.ContainsKey(id)) && Stopwatch.GetElapsedTime(waiting) < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        await stopTail.CancelAsync();
        await tailing;
        var samples = written.Where(w => tail.FirstSeen.ContainsKey(w.Key)).Select(w => Stopwatch.GetElapsedTime(w.Value, tail.FirstSeen[w.Key]).TotalMilliseconds).ToArray();
        return (samples, written.Count - samples.Length);
    }
}
