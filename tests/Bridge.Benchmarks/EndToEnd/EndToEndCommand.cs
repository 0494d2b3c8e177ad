using System.Diagnostics;
using Amazon.DynamoDBv2;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Testing;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary><c>e2e</c>: DynamoDB Local → bridge → kinesalite, against the naive baseline, in one run.</summary>
/// <remarks>
/// Phases, in order: the bridge catches up on a backlog (time until Kinesis acknowledged as many records as the
/// backlog holds), then again with KPL aggregation (its records counted inside the aggregates), the baseline catches up on the same backlog into its own stream (unpaced), the target alone takes the
/// same records read in advance (<see cref="TargetCeiling"/>: the most any forwarder could reach here), and the baseline
/// catches up once more, Lambda-paced. Each catch-up also reports where its time went: GetRecords and PutRecords times
/// and the CPU of this process and of each emulator, which share the machine's cores. Then each forwarder, started at
/// LATEST, forwards items written at a steady rate while one tail reads the source stream and another its target
/// stream, each noting when every item is first readable there. Everything runs on 127.0.0.1; every loop is bounded in
/// count and time.
/// </remarks>
internal static class EndToEndCommand
{
    private const int TargetShards = 4;

    private const string KplRow = "bridge, KPL aggregation (Bridge:Target:Aggregation = Kpl)";

    private static readonly string CeilingRow = $"ceiling: kinesalite alone (records read in advance, {TargetCeiling.Concurrency} × PutRecords 500 in flight)";

    /// <param name="rooms">Distinct <c>roomId</c>s (partition keys) the items are spread over.</param>
    public static async Task<int> RunAsync(bool smoke, int rooms = 100)
    {
        var backlog = smoke ? 200 : 20_000;
        var rate = smoke ? 20 : 50;
        var liveFor = TimeSpan.FromSeconds(smoke ? 2 : 20);
        var catchUpLimit = TimeSpan.FromSeconds(smoke ? 20 : 150);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(smoke ? 1 : 8));
        var cancellationToken = timeout.Token;

        await using var aws = await LocalEmulators.StartAsync(cancellationToken);
        var (streams, kinesis, dynamoDb) = (aws.Streams, aws.Kinesis, aws.DynamoDb);

        var table = new ChatTable(dynamoDb, "chat-messages", rooms);
        await table.CreateAsync(cancellationToken);
        var bridgeTarget = await kinesis.CreateActiveStreamAsync("bridge-target", TargetShards, cancellationToken);
        var kplTarget = await kinesis.CreateActiveStreamAsync("bridge-kpl-target", TargetShards, cancellationToken);
        var baselineTarget = await kinesis.CreateActiveStreamAsync("baseline-target", TargetShards, cancellationToken);
        var ceilingTarget = await kinesis.CreateActiveStreamAsync("ceiling-target", TargetShards, cancellationToken);
        var writing = Stopwatch.GetTimestamp();
        await table.WriteBacklogAsync("b-", backlog, cancellationToken);
        Console.WriteLine($"Backlog of {backlog} items written to DynamoDB Local in {Stopwatch.GetElapsedTime(writing).TotalSeconds:F1} s.");

        // Warm-up: both forwarders forward the whole backlog once, so the measured runs see code as a long-running
        // worker has it (tiered JIT done); a 1000-record warm-up left the bridge paying twice the CPU for rejitting.
        // Each measured run starts again from TRIM_HORIZON with no checkpoint.
        var emulators = new Emulators(aws.DynamoDbLocal, aws.Kinesalite);
        await CatchUpAsync(backlog, catchUpLimit, (source, counting) => RunBridge(source, counting, table, bridgeTarget, latest: false), streams, kinesis, emulators, cancellationToken);
        await CatchUpAsync(backlog, catchUpLimit, (source, counting) => RunBridge(source, counting, table, kplTarget, latest: false, aggregate: true), streams, kinesis, emulators, cancellationToken);
        await CatchUpAsync(backlog, catchUpLimit, (source, counting) => RunBaseline(source, counting, table, baselineTarget, latest: false, TimeSpan.Zero), streams, kinesis, emulators, cancellationToken);

        var bridgeCatchUp = await CatchUpAsync(backlog, catchUpLimit, (source, counting) => RunBridge(source, counting, table, bridgeTarget, latest: false), streams, kinesis, emulators, cancellationToken);
        var kplCatchUp = await CatchUpAsync(backlog, catchUpLimit, (source, counting) => RunBridge(source, counting, table, kplTarget, latest: false, aggregate: true), streams, kinesis, emulators, cancellationToken);
        var baselineCatchUp = await CatchUpAsync(backlog, catchUpLimit, (source, counting) => RunBaseline(source, counting, table, baselineTarget, latest: false, TimeSpan.Zero), streams, kinesis, emulators, cancellationToken);
        var entries = await TargetCeiling.ReadAsync(streams, table.StreamArn, backlog, cancellationToken);
        await CatchUpAsync(backlog, catchUpLimit, (_, counting) => new Running(new TargetCeiling(entries, counting, ceilingTarget).RunAsync), streams, kinesis, emulators, cancellationToken);
        var ceiling = await CatchUpAsync(backlog, catchUpLimit, (_, counting) => new Running(new TargetCeiling(entries, counting, ceilingTarget).RunAsync), streams, kinesis, emulators, cancellationToken);
        var pacedCatchUp = await CatchUpAsync(backlog, catchUpLimit, (source, counting) => RunBaseline(source, counting, table, baselineTarget, latest: false, NaiveForwarder.LambdaPollInterval), streams, kinesis, emulators, cancellationToken);

        var catchUp = new ResultTable($"E2E catch-up: {backlog} mutations in DynamoDB Local → kinesalite ({TargetShards} shards)",
            ["forwarder", "acknowledged", "seconds", "records/s", "PutRecords calls", "CPU s (this process)", "bridge/baseline"]);
        catchUp.Add("bridge", bridgeCatchUp.Acknowledged.ToString("N0"), bridgeCatchUp.Seconds.ToString("F1"), bridgeCatchUp.RecordsPerSecond.ToString("N0"), bridgeCatchUp.Requests.ToString(),
            bridgeCatchUp.CpuSeconds.ToString("F1"), (bridgeCatchUp.RecordsPerSecond / baselineCatchUp.RecordsPerSecond).ToString("F2") + "×");
        catchUp.Add(KplRow, kplCatchUp.Acknowledged.ToString("N0"), kplCatchUp.Seconds.ToString("F1"), kplCatchUp.RecordsPerSecond.ToString("N0"), kplCatchUp.Requests.ToString(),
            kplCatchUp.CpuSeconds.ToString("F1"), (kplCatchUp.RecordsPerSecond / baselineCatchUp.RecordsPerSecond).ToString("F2") + "×");
        catchUp.Add("naive baseline", baselineCatchUp.Acknowledged.ToString("N0"), baselineCatchUp.Seconds.ToString("F1"), baselineCatchUp.RecordsPerSecond.ToString("N0"), baselineCatchUp.Requests.ToString(),
            baselineCatchUp.CpuSeconds.ToString("F1"), "1.00×");
        catchUp.Add("naive baseline, Lambda-paced", pacedCatchUp.Acknowledged.ToString("N0"), pacedCatchUp.Seconds.ToString("F1"), pacedCatchUp.RecordsPerSecond.ToString("N0"), pacedCatchUp.Requests.ToString(),
            pacedCatchUp.CpuSeconds.ToString("F1"), $"bridge/this: {bridgeCatchUp.RecordsPerSecond / pacedCatchUp.RecordsPerSecond:F2}×");
        catchUp.Add(CeilingRow, ceiling.Acknowledged.ToString("N0"), ceiling.Seconds.ToString("F1"), ceiling.RecordsPerSecond.ToString("N0"), ceiling.Requests.ToString(),
            ceiling.CpuSeconds.ToString("F1"), $"this/baseline: {ceiling.RecordsPerSecond / baselineCatchUp.RecordsPerSecond:F2}×");
        catchUp.Print();

        var where = new ResultTable("E2E catch-up: where the time goes (GetRecords timed over the calls that returned records; CPU of each process over the catch-up)",
            ["forwarder", "seconds", "first page ms", "GetRecords calls", "GetRecords p50/p90 ms", "in GetRecords s", "PutRecords p50/p90 ms", "CPU s: this process", "DynamoDB Local", "kinesalite", "cores busy"]);
        foreach (var (name, result) in new[] { ("bridge", bridgeCatchUp), (KplRow, kplCatchUp), ("naive baseline", baselineCatchUp), ("naive baseline, Lambda-paced", pacedCatchUp), (CeilingRow, ceiling) })
        {
            where.Add(name, result.Seconds.ToString("F2"), Ms(result.FirstPageMs), result.GetRecordsCalls.ToString(), $"{Ms(result.PageMs50)} / {Ms(result.PageMs90)}", result.InGetRecordsSeconds.ToString("F2"),
                $"{result.PutMs50:F0} / {result.PutMs90:F0}", result.CpuSeconds.ToString("F2"), result.SourceCpuSeconds.ToString("F2"), result.TargetCpuSeconds.ToString("F2"),
                ((result.CpuSeconds + result.SourceCpuSeconds + result.TargetCpuSeconds) / result.Seconds).ToString("F2"));
        }

        where.Print();

        var bridgeLive = await LiveAsync(table, "l1-", rate, liveFor, streams, bridgeTarget, kinesis, counting => RunBridge(streams, counting, table, bridgeTarget, latest: true), cancellationToken);
        var baselineLive = await LiveAsync(table, "l2-", rate, liveFor, streams, baselineTarget, kinesis, counting => RunBaseline(streams, counting, table, baselineTarget, latest: true, TimeSpan.Zero), cancellationToken);
        var idlePoll = new Bridge.Source.ReaderOptions().IdlePollInterval.TotalMilliseconds;
        var live = new ResultTable($"E2E live latency, {rate} writes/s for {liveFor.TotalSeconds:F0} s: end to end = PutItem completed → readable in Kinesis; added = readable in the source stream → readable in Kinesis",
            ["forwarder", "samples", "missing", "end-to-end p50/p95/p99 ms", "added p50 ms", "added p95 ms", "added p99 ms", "added max ms", "PutRecords RTT p50 ms", "added p99 bridge/baseline"]);
        foreach (var (name, result) in new[] { ("bridge", bridgeLive), ("naive baseline", baselineLive) })
        {
            live.Add(name, result.Samples.Length.ToString(), result.Missing.ToString(),
                $"{P(result.Samples, 0.5)} / {P(result.Samples, 0.95)} / {P(result.Samples, 0.99)}",
                P(result.Added, 0.5), P(result.Added, 0.95), P(result.Added, 0.99), P(result.Added, 1), result.RoundTripMs.ToString("F0"),
                ReferenceEquals(result, bridgeLive) ? (Percentiles.Of(bridgeLive.Added, 0.99) / Percentiles.Of(baselineLive.Added, 0.99)).ToString("F2") + "×" : "1.00×");
        }

        live.Print();
        var budget = idlePoll + bridgeLive.RoundTripMs;
        var bridgeP99 = Percentiles.Of(bridgeLive.Added, 0.99);
        Console.WriteLine($"Catch-up target ≥ 1.5× baseline: {(bridgeCatchUp.RecordsPerSecond / baselineCatchUp.RecordsPerSecond):F2}× ({(bridgeCatchUp.RecordsPerSecond >= 1.5 * baselineCatchUp.RecordsPerSecond ? "met" : "MISSED")});" +
            $" against the Lambda-paced baseline {(bridgeCatchUp.RecordsPerSecond / pacedCatchUp.RecordsPerSecond):F2}×; kinesalite alone took the records at {(ceiling.RecordsPerSecond / baselineCatchUp.RecordsPerSecond):F2}× the baseline's rate." +
            $" Items spread over {rooms} roomIds; the bridge keeps at most one record per key in flight." +
            $" kinesalite does its work on one JavaScript thread and spent {bridgeCatchUp.TargetCpuSeconds:F2} s of CPU on the bridge's requests: even never idle, it would hold the bridge to about {baselineCatchUp.Seconds / bridgeCatchUp.TargetCpuSeconds:F2}× the baseline.");
        Console.WriteLine($"With KPL aggregation (consumers de-aggregate): {(kplCatchUp.RecordsPerSecond / baselineCatchUp.RecordsPerSecond):F2}× the baseline ({(kplCatchUp.RecordsPerSecond >= 1.5 * baselineCatchUp.RecordsPerSecond ? "met" : "MISSED")})," +
            $" in {kplCatchUp.Requests} PutRecords instead of {bridgeCatchUp.Requests}; kinesalite spent {kplCatchUp.TargetCpuSeconds:F2} s of CPU on them.");
        Console.WriteLine($"Latency target: bridge added p99 {bridgeP99:F0} ms ≤ idle poll {idlePoll:F0} ms + PutRecords round trip {bridgeLive.RoundTripMs:F0} ms = {budget:F0} ms: {(bridgeP99 <= budget ? "met" : "MISSED")}" +
            " (both tails poll every 10 ms, so each figure carries up to ~10 ms of polling jitter).");

        var ok = bridgeCatchUp.Acknowledged >= backlog && kplCatchUp.Acknowledged >= backlog && baselineCatchUp.Acknowledged >= backlog && pacedCatchUp.Acknowledged >= backlog && ceiling.Acknowledged >= backlog && bridgeLive.Missing == 0 && baselineLive.Missing == 0;
        return ok ? 0 : 1;
    }

    private static string P(double[] samples, double q) => Percentiles.Of(samples, q).ToString("F0");

    /// <summary>Milliseconds, or a dash for a forwarder that made no such call.</summary>
    private static string Ms(double ms) => double.IsNaN(ms) ? "—" : ms.ToString("F0");

    /// <summary>Runs a forwarder until Kinesis has acknowledged <paramref name="backlog"/> records, or the limit passes.</summary>
    /// <param name="forwarded">When given, done means read all <paramref name="backlog"/> records from the stream and had
    /// this many acknowledged (fewer than read, when a filter drops some).</param>
    internal static async Task<CatchUpResult> CatchUpAsync(int backlog, TimeSpan limit, Func<TimedStreams, CountingKinesis, IAsyncDisposable> start, IDynamoDbStreamsClient streams, IKinesisClient kinesis, Emulators emulators, CancellationToken cancellationToken, int? forwarded = null)
    {
        var timed = new TimedStreams(streams);
        var counting = new CountingKinesis(kinesis);
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var sourceCpu = emulators.Source.ProcessorTime();
        var targetCpu = emulators.Target.ProcessorTime();
        var began = Stopwatch.GetTimestamp();
        double seconds;
        await using (start(timed, counting))
        {
            while ((counting.Acknowledged < (forwarded ?? backlog) || (forwarded is not null && timed.RecordsRead < backlog)) && Stopwatch.GetElapsedTime(began) < limit)
            {
                await Task.Delay(10, cancellationToken);
            }

            seconds = Stopwatch.GetElapsedTime(began).TotalSeconds;
            process.Refresh();
            cpu = process.TotalProcessorTime - cpu;
            sourceCpu = emulators.Source.ProcessorTime() - sourceCpu;
            targetCpu = emulators.Target.ProcessorTime() - targetCpu;
        }

        return new CatchUpResult(counting.Acknowledged, seconds, Math.Min(counting.Acknowledged, backlog) / seconds, counting.Requests, cpu.TotalSeconds,
            timed.FirstPageMs, timed.Calls, timed.PageMs(0.5), timed.PageMs(0.9), timed.PageSeconds(), counting.RoundTripMs(0.5), counting.RoundTripMs(0.9), sourceCpu.TotalSeconds, targetCpu.TotalSeconds, timed.RecordsRead);
    }

    private static async Task<LiveResult> LiveAsync(ChatTable table, string prefix, int rate, TimeSpan duration, IDynamoDbStreamsClient streams, KinesisStreamRef target, IKinesisClient kinesis, Func<CountingKinesis, IAsyncDisposable> start, CancellationToken cancellationToken)
    {
        var counting = new CountingKinesis(kinesis);
        var tail = ItemTail.OfKinesis(kinesis, target);
        var source = ItemTail.OfStream(streams, table.StreamArn);
        await tail.StartAsync(cancellationToken);
        await source.StartAsync(cancellationToken);
        using var stopTail = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tailing = Task.WhenAll(tail.RunAsync(stopTail.Token), source.RunAsync(stopTail.Token));
        Dictionary<string, long> written;
        await using (start(counting))
        {
            // Both take LATEST iterators as they start: give them a moment, so the first writes are not before them.
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            written = await table.WriteSteadilyAsync(prefix, rate, duration, cancellationToken);
            var waiting = Stopwatch.GetTimestamp();
            while (written.Keys.Any(id => !tail.FirstSeen.ContainsKey(id)) && Stopwatch.GetElapsedTime(waiting) < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        await stopTail.CancelAsync();
        await tailing;
        var samples = written.Where(w => tail.FirstSeen.ContainsKey(w.Key))
            .Select(w => Stopwatch.GetElapsedTime(w.Value, tail.FirstSeen[w.Key]).TotalMilliseconds)
            .ToArray();
        var added = written.Keys.Where(id => tail.FirstSeen.ContainsKey(id) && source.FirstSeen.ContainsKey(id))
            .Select(id => Stopwatch.GetElapsedTime(source.FirstSeen[id], tail.FirstSeen[id]).TotalMilliseconds)
            .ToArray();
        return new LiveResult(samples, added, written.Count - samples.Length, counting.RoundTripMs(0.5));
    }

    private static IAsyncDisposable RunBridge(IDynamoDbStreamsClient streams, CountingKinesis kinesis, ChatTable table, KinesisStreamRef target, bool latest, bool aggregate = false)
    {
        var options = InProcessBridge.DefaultOptions();
        options.Target.Aggregation = aggregate ? Bridge.Sink.RecordAggregation.Kpl : Bridge.Sink.RecordAggregation.None;
        options.Target.StreamName = target.Name!;
        options.StartPosition = latest ? "LATEST" : "TRIM_HORIZON";
        return new InProcessBridge(streams, kinesis, options, table.Name, table.StreamArn);
    }

    private static IAsyncDisposable RunBaseline(IDynamoDbStreamsClient streams, CountingKinesis kinesis, ChatTable table, KinesisStreamRef target, bool latest, TimeSpan minPollInterval) =>
        new Running(new NaiveForwarder(streams, kinesis, table.StreamArn, target, latest, minPollInterval).RunAsync);

    /// <param name="CpuSeconds">CPU of this process (the forwarder, the harness's polling loop and its HTTP clients).</param>
    /// <param name="FirstPageMs">From the forwarder's start to its first page of records.</param>
    /// <param name="PageMs50">Median GetRecords call that returned records; <paramref name="InGetRecordsSeconds"/> sums them.</param>
    /// <param name="SourceCpuSeconds">CPU of DynamoDB Local; <paramref name="TargetCpuSeconds"/> of kinesalite.</param>
    /// <param name="RecordsRead">Records the GetRecords calls returned.</param>
    internal sealed record CatchUpResult(long Acknowledged, double Seconds, double RecordsPerSecond, int Requests, double CpuSeconds,
        double FirstPageMs, int GetRecordsCalls, double PageMs50, double PageMs90, double InGetRecordsSeconds, double PutMs50, double PutMs90, double SourceCpuSeconds, double TargetCpuSeconds, long RecordsRead);

    internal sealed record Emulators(EmulatorProcess Source, EmulatorProcess Target);

    /// <param name="Samples">PutItem completed → readable in Kinesis, ms.</param>
    /// <param name="Added">Readable in the source stream → readable in Kinesis, ms: what the forwarder adds.</param>
    private sealed record LiveResult(double[] Samples, double[] Added, int Missing, double RoundTripMs);

    /// <summary>A background loop that is cancelled and awaited on dispose.</summary>
    private sealed class Running : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public Running(Func<CancellationToken, Task> loop) => _run = Task.Run(() => loop(_stop.Token));

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
            _stop.Dispose();
        }
    }
}
