using Bridge.Filtering;
using Bridge.Forwarding;
using Bridge.Routing;
using Bridge.Testing;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary><c>filter-e2e</c>: what a filter that drops half the records does to a catch-up over the wire, against no
/// filter, side by side in one run: DynamoDB Local → the real engine → kinesalite.</summary>
/// <remarks>
/// The <c>e2e</c> backlog (items of ~600 B, 100 <c>roomId</c>s, INSERTs, NEW_AND_OLD_IMAGES). Cases: no filter; a
/// filter on <c>dynamodb.Keys</c> keeping ids that end in an even digit; one on <c>dynamodb.NewImage</c> keeping
/// <c>edited = true</c> (every other item). Each case forwards into its own 4-shard stream, once as a warm-up, then the
/// cases alternate, each catch-up from TRIM_HORIZON with fresh in-memory leases, timed until the engine has read every
/// record of the backlog and Kinesis has acknowledged every record the case forwards. Medians over the rounds. A
/// forwarded record costs a PutRecords entry, its bytes over the loopback and kinesalite's work; a dropped one costs
/// only the filter's check. Everything runs on 127.0.0.1; every loop is bounded in count and time.
/// </remarks>
internal static class FilterEndToEndCommand
{
    private const int TargetShards = 4;

    /// <summary>Keeps ids ending in an even digit (<c>b-000042</c>): half the items, decided on the record's keys.</summary>
    private const string HalfByKeys = """{"dynamodb":{"Keys":{"id":{"S":[{"suffix":"0"},{"suffix":"2"},{"suffix":"4"},{"suffix":"6"},{"suffix":"8"}]}}}}""";

    /// <summary>Keeps edited messages: every other item, decided on the new image.</summary>
    private const string HalfByNewImage = """{"dynamodb":{"NewImage":{"edited":{"BOOL":[true]}}}}""";

    public static async Task<int> RunAsync(bool smoke)
    {
        var backlog = smoke ? 200 : 20_000;
        var rounds = smoke ? 1 : 5;
        var limit = TimeSpan.FromSeconds(smoke ? 20 : 120);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(smoke ? 2 : 12));
        var cancellationToken = timeout.Token;

        await using var aws = await LocalEmulators.StartAsync(cancellationToken);
        var table = new ChatTable(aws.DynamoDb, "chat-messages", rooms: 100);
        await table.CreateAsync(cancellationToken);
        await table.WriteBacklogAsync("b-", backlog, cancellationToken);
        var emulators = new EndToEndCommand.Emulators(aws.DynamoDbLocal, aws.Kinesalite);

        (string Name, string? Filter)[] cases = [("no filter", null), ("Filter on Keys dropping half", HalfByKeys), ("Filter on NewImage dropping half", HalfByNewImage)];
        var targets = new List<Aws.Kinesis.KinesisStreamRef>();
        for (var i = 0; i < cases.Length; i++)
        {
            targets.Add(await aws.Kinesis.CreateActiveStreamAsync($"filter-target-{i}", TargetShards, cancellationToken));
        }

        Task<EndToEndCommand.CatchUpResult> CatchUpAsync(int i) => EndToEndCommand.CatchUpAsync(
            backlog,
            limit,
            (streams, counting) =>
            {
                var options = InProcessBridge.DefaultOptions();
                options.Target.StreamName = targets[i].Name!;
                var filter = SourceFilter.For(cases[i].Filter, [], table.StreamArn);
                return new InProcessBridge(streams, counting, options, [new ResolvedSource(table.Name, table.StreamArn, new PartitionKeySelector("roomId"), Filter: filter)]);
            },
            aws.Streams,
            aws.Kinesis,
            emulators,
            cancellationToken,
            forwarded: cases[i].Filter is null ? backlog : backlog / 2);

        for (var i = 0; i < cases.Length; i++)
        {
            await CatchUpAsync(i);
        }

        var results = cases.Select(_ => new List<EndToEndCommand.CatchUpResult>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < cases.Length; i++)
            {
                results[i].Add(await CatchUpAsync(i));
            }
        }

        var table7 = new ResultTable(
            $"Filter end to end: catch-up on {backlog} INSERTs (~600 B items) in DynamoDB Local → engine → kinesalite ({TargetShards} shards), cases alternated, medians of {rounds}",
            ["case", "records read", "forwarded", "seconds", "records read/s", "read/s vs no filter", "PutRecords calls", "CPU ms per 1000 records read: this process", "DynamoDB Local", "kinesalite", "cores busy"]);
        var ok = true;
        double baseline = 0;
        for (var i = 0; i < cases.Length; i++)
        {
            var runs = results[i];
            ok &= runs.All(r => r.RecordsRead >= backlog && r.Acknowledged >= (cases[i].Filter is null ? backlog : backlog / 2));
            var seconds = Median(runs.Select(r => r.Seconds));
            var readPerSecond = backlog / seconds;
            baseline = i == 0 ? readPerSecond : baseline;
            table7.Add(
                cases[i].Name,
                Median(runs.Select(r => (double)r.RecordsRead)).ToString("N0"),
                Median(runs.Select(r => (double)r.Acknowledged)).ToString("N0"),
                seconds.ToString("F2"),
                readPerSecond.ToString("N0"),
                (readPerSecond / baseline).ToString("P0"),
                Median(runs.Select(r => (double)r.Requests)).ToString("F0"),
                Median(runs.Select(r => r.CpuSeconds * 1e6 / backlog)).ToString("F1"),
                Median(runs.Select(r => r.SourceCpuSeconds * 1e6 / backlog)).ToString("F1"),
                Median(runs.Select(r => r.TargetCpuSeconds * 1e6 / backlog)).ToString("F1"),
                Median(runs.Select(r => (r.CpuSeconds + r.SourceCpuSeconds + r.TargetCpuSeconds) / r.Seconds)).ToString("F2"));
        }

        table7.Print();
        Console.WriteLine($"Per round, records read/s with each filter / without: {string.Join("; ", Enumerable.Range(0, rounds).Select(r => string.Join(", ", Enumerable.Range(1, cases.Length - 1).Select(i => (results[0][r].Seconds / results[i][r].Seconds).ToString("F2") + "×"))))}.");
        return ok ? 0 : 1;
    }

    private static double Median(IEnumerable<double> values) => Percentiles.Of([.. values], 0.5);
}
