using System.Diagnostics;
using Amazon.DynamoDBv2;
using Bridge.Aws.Kinesis;
using Bridge.Backfill;
using Bridge.Benchmarks.EndToEnd;
using Bridge.Coordination;
using Bridge.Forwarding;
using Bridge.Routing;
using Bridge.Sink;
using Bridge.Telemetry;
using Bridge.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Benchmarks.Backfill;

/// <summary><c>backfill</c>: the bridge's table backfill (<see cref="TableBackfill"/>) against a plain parallel Scan → PutRecords
/// loop (<see cref="NaiveScanForwarder"/>), same table, same segments, same emulators (DynamoDB Local → kinesalite), in one run.</summary>
/// <remarks>Each forwarder runs once to warm up (tiered JIT), then once measured, into its own target stream. The bridge's run
/// includes what the baseline skips: segment checkpoints in the lease table after every acknowledged page, the stream-record
/// shape, per-key order, and waiting for every record's acknowledgement before the run is recorded finished. Its read
/// budget is set out of the way (the default 1000 read units/s would pace it, which is the point of a budget).</remarks>
internal static class BackfillBenchmarkCommand
{
    private const int TargetShards = 4;
    private const int Segments = 8;
    private const int PageSize = 1000;

    public static async Task<int> RunAsync(bool smoke, int? itemCount = null)
    {
        var items = itemCount ?? (smoke ? 500 : 20_000);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(smoke ? 2 : 10));
        var cancellationToken = timeout.Token;

        var dynamoDbStart = LocalAws.StartDynamoDbLocalAsync(cancellationToken);
        await using var kinesalite = await LocalAws.StartKinesaliteAsync(cancellationToken);
        await using var dynamoDbLocal = await dynamoDbStart;
        using var kinesisFactory = kinesalite.CreateClientFactory();
        var kinesis = kinesisFactory.CreateKinesisClient();
        using var dynamoDb = new AmazonDynamoDBClient(EmulatorProcess.Credentials, new AmazonDynamoDBConfig
        {
            ServiceURL = dynamoDbLocal.Endpoint.ToString(),
            AuthenticationRegion = EmulatorProcess.Region,
        });

        var table = new ChatTable(dynamoDb, "backfill-source", 100);
        await table.CreateAsync(cancellationToken);
        await table.WriteBacklogAsync("b-", items, cancellationToken);
        var leases = new DynamoDbLeaseStore(dynamoDb, "backfill-checkpoints", TimeProvider.System);
        await leases.EnsureCreatedAsync(cancellationToken);
        var bridgeTarget = await kinesis.CreateActiveStreamAsync("bridge-backfill-target", TargetShards, cancellationToken);
        var aggregatedTarget = await kinesis.CreateActiveStreamAsync("aggregated-backfill-target", TargetShards, cancellationToken);
        var baselineTarget = await kinesis.CreateActiveStreamAsync("baseline-backfill-target", TargetShards, cancellationToken);
        var source = new ResolvedSource(table.Name, table.StreamArn, new PartitionKeySelector("roomId"));

        await RunBridgeAsync(source, dynamoDb, leases, kinesis, bridgeTarget, "warm-up", RecordAggregation.None, cancellationToken);
        await RunBridgeAsync(source, dynamoDb, leases, kinesis, aggregatedTarget, "warm-up-kpl", RecordAggregation.Kpl, cancellationToken);
        await RunBaselineAsync(dynamoDb, kinesis, table.Name, baselineTarget, cancellationToken);

        // The three in turn, round after round, so each round's ratios compare runs that saw the same machine.
        var rounds = smoke ? 1 : 5;
        var bridge = new List<Result>();
        var aggregated = new List<Result>();
        var baseline = new List<Result>();
        for (var round = 1; round <= rounds; round++)
        {
            bridge.Add(await RunBridgeAsync(source, dynamoDb, leases, kinesis, bridgeTarget, $"measured-{round}", RecordAggregation.None, cancellationToken));
            aggregated.Add(await RunBridgeAsync(source, dynamoDb, leases, kinesis, aggregatedTarget, $"measured-kpl-{round}", RecordAggregation.Kpl, cancellationToken));
            baseline.Add(await RunBaselineAsync(dynamoDb, kinesis, table.Name, baselineTarget, cancellationToken));
        }

        var results = new ResultTable(
            $"Backfill: {items:N0} items in DynamoDB Local → kinesalite ({TargetShards} shards), {Segments} scan segments, pages of {PageSize}; medians of {rounds} rounds",
            ["forwarder", "items acknowledged", "seconds", "items/s", "PutRecords calls", "CPU s (this process)", "vs baseline (median of the rounds' ratios)", "rounds' ratios"]);
        Add("bridge backfill (checkpointed, stream-record shape)", bridge);
        Add("bridge backfill, Aggregation = Kpl (a key's waiting records go as one)", aggregated);
        Add("plain parallel Scan → PutRecords loop", baseline);
        results.Print();
        return bridge.Concat(aggregated).Concat(baseline).All(r => r.Acknowledged >= items) ? 0 : 1;

        void Add(string name, List<Result> runs)
        {
            var ratios = runs.Zip(baseline, (run, yardstick) => run.ItemsPerSecond / yardstick.ItemsPerSecond).ToArray();
            results.Add(
                name,
                runs.Min(r => r.Acknowledged).ToString("N0"),
                Percentiles.Of([.. runs.Select(r => r.Seconds)], 0.5).ToString("F1"),
                Percentiles.Of([.. runs.Select(r => r.ItemsPerSecond)], 0.5).ToString("N0"),
                Percentiles.Of([.. runs.Select(r => (double)r.Requests)], 0.5).ToString("F0"),
                Percentiles.Of([.. runs.Select(r => r.CpuSeconds)], 0.5).ToString("F1"),
                Percentiles.Of(ratios, 0.5).ToString("F2") + "×",
                string.Join(" ", ratios.Select(r => r.ToString("F2"))));
        }
    }

    private static Task<Result> RunBridgeAsync(ResolvedSource source, IAmazonDynamoDB dynamoDb, ILeaseStore leases, IKinesisClient kinesis, KinesisStreamRef target, string runId, RecordAggregation aggregation, CancellationToken cancellationToken) =>
        MeasureAsync(kinesis, async counting =>
        {
            var options = InProcessBridge.DefaultOptions();
            options.Target.StreamName = target.ToString();
            options.Target.Aggregation = aggregation;
            options.Backfill.TotalSegments = Segments;
            options.Backfill.ConcurrentSegments = Segments;
            options.Backfill.PageSize = PageSize;
            options.Backfill.ReadUnitsPerSecond = 1_000_000;
            await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            var metrics = new BridgeMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TimeProvider.System);
            await using var sinks = await TargetSinks.StartAsync(options, counting, TimeProvider.System, NullLoggerFactory.Instance, metrics, cancellationToken);
            var store = new DynamoDbBackfillStore(dynamoDb, "backfill-checkpoints", TimeProvider.System);
            var run = await new TableBackfill(source, dynamoDb, store, sinks.Target, null, options, TimeProvider.System, NullLoggerFactory.Instance, metrics)
                .RunAsync(runId, cancellationToken, CancellationToken.None);
            if (!run.IsFinished)
            {
                throw new InvalidOperationException($"Backfill {run} did not finish.");
            }
        });

    private static Task<Result> RunBaselineAsync(IAmazonDynamoDB dynamoDb, IKinesisClient kinesis, string table, KinesisStreamRef target, CancellationToken cancellationToken) =>
        MeasureAsync(kinesis, counting => new NaiveScanForwarder(dynamoDb, counting, table, target, Segments, PageSize).RunAsync(cancellationToken));

    private static async Task<Result> MeasureAsync(IKinesisClient kinesis, Func<CountingKinesis, Task> run)
    {
        var counting = new CountingKinesis(kinesis);
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var began = Stopwatch.GetTimestamp();
        await run(counting);
        var seconds = Stopwatch.GetElapsedTime(began).TotalSeconds;
        process.Refresh();
        return new Result(counting.Acknowledged, seconds, counting.Acknowledged / seconds, counting.Requests, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    private sealed record Result(long Acknowledged, double Seconds, double ItemsPerSecond, int Requests, double CpuSeconds);
}
