using System.Diagnostics;
using Bridge.Coordination;
using Bridge.IntegrationTests.Forwarding;
using Bridge.Testing;
using Bridge.Testing.Chat;

namespace Bridge.IntegrationTests.Coordination;

/// <summary>Several source tables forwarded by several real bridge processes sharing one lease table, with short leases.</summary>
/// <remarks>As the README says to run them: every worker is started with literally the same environment (no worker id,
/// the same health and Prometheus ports), as several workers on one machine or VM would be. Each worker's id is then the
/// default one (host name, process id, random suffix), so the fleet tells the workers' leases apart by process id.</remarks>
internal sealed class WorkerFleet(ChatEmulators aws, string name, IReadOnlyList<ChatTable> tables, IReadOnlyList<string> streamArns) : IAsyncDisposable
{
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(1);

    private readonly ChatWorkload[] _workloads = [.. Enumerable.Range(0, tables.Count).Select(i => new ChatWorkload(rooms: 20, seed: 100 + i))];
    private readonly DynamoDbLeaseStore _leases = new(aws.DynamoDbClient, name + "-leases", TimeProvider.System);

    public Dictionary<string, BridgeProcess> Workers { get; } = [];

    public string Target => name + "-out";

    public static async Task<WorkerFleet> CreateAsync(ChatEmulators aws, string name, int tables)
    {
        var created = new List<ChatTable>();
        var arns = new List<string>();
        for (var i = 0; i < tables; i++)
        {
            var table = await aws.CreateTableAsync($"{name}-{i}");
            created.Add(table);
            arns.Add((await aws.DynamoDbClient.DescribeTableAsync(table.TableName)).Table.LatestStreamArn);
        }

        await aws.CreateTargetAsync(name + "-out", shards: 4);
        return new WorkerFleet(aws, name, created, arns);
    }

    /// <summary>The one environment every worker gets.</summary>
    public Dictionary<string, string> Settings { get; } = CreateSettings(aws, name, tables);

    /// <summary>Starts one more worker, known to the test as <paramref name="label"/>.</summary>
    public BridgeProcess Start(string label)
    {
        var worker = BridgeProcess.Start(Settings);
        Workers[label] = worker;
        return worker;
    }

    /// <summary>The start of the default worker id of the worker the test calls <paramref name="label"/>.</summary>
    public string WorkerIdPrefix(string label) => $"{Environment.MachineName}-{Workers[label].Id}-";

    /// <summary>The label of the worker that owns <paramref name="lease"/>; null when nobody does.</summary>
    public string? OwnerOf(Lease lease) =>
        lease.Owner is { } owner ? Workers.Keys.FirstOrDefault(label => owner.StartsWith(WorkerIdPrefix(label), StringComparison.Ordinal)) ?? owner : null;

    private static Dictionary<string, string> CreateSettings(ChatEmulators aws, string name, IReadOnlyList<ChatTable> tables)
    {
        var settings = aws.BridgeSettings(tables[0].TableName, name + "-out", name + "-leases");
        for (var i = 1; i < tables.Count; i++)
        {
            settings[$"Bridge__Sources__{i}__TableName"] = tables[i].TableName;
            settings[$"Bridge__Sources__{i}__PartitionKey"] = "roomId";
        }

        settings["Bridge__Leases__Duration"] = LeaseDuration.ToString();
        settings["Bridge__Leases__RenewInterval"] = RenewInterval.ToString();

        // One health port and one Prometheus port for all: the first worker to start gets each, the others go on without.
        settings["Bridge__Health__Port"] = BridgeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Bridge__Metrics__Exporter"] = "Prometheus";
        settings["Bridge__Metrics__PrometheusPort"] = BridgeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>Writes a backlog, starts the workers and waits until they share the leases evenly.</summary>
    public async Task<TimeSpan> StartBalancedAsync(int backlogPerTable, params string[] workerIds)
    {
        await WriteAsync(backlogPerTable);
        foreach (var id in workerIds)
        {
            Start(id);
        }

        return await WaitForBalanceAsync(workerIds, TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits for every change, stops every worker gracefully and compares each table with the target.</summary>
    public async Task<IReadOnlyList<DeliveryReport>> FinishAsync()
    {
        await WaitForEverythingAsync(TimeSpan.FromSeconds(60));
        await TerminateAllAsync();
        return await CompareAsync();
    }

    /// <summary>Applies <paramref name="perTable"/> changes to every table.</summary>
    public async Task WriteAsync(int perTable)
    {
        for (var i = 0; i < tables.Count; i++)
        {
            await tables[i].ApplyAsync(_workloads[i].Next(perTable));
        }
    }

    /// <summary>Keeps writing in rounds while the test does its worst.</summary>
    public async Task WriteInRoundsAsync(int rounds, int perTable, TimeSpan pause)
    {
        for (var round = 0; round < rounds; round++)
        {
            await WriteAsync(perTable);
            await Task.Delay(pause);
        }
    }

    /// <summary>Every lease; none while the first worker has not created the table yet.</summary>
    public async Task<IReadOnlyList<Lease>> LeasesAsync()
    {
        try
        {
            return await _leases.ListAsync(streamArns, default);
        }
        catch (Amazon.DynamoDBv2.Model.ResourceNotFoundException)
        {
            return [];
        }
    }

    /// <summary>Leases held per worker (unowned ones under "").</summary>
    public async Task<Dictionary<string, int>> LoadsAsync() =>
        (await LeasesAsync()).GroupBy(l => OwnerOf(l) ?? "").ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Polls the lease table until <paramref name="condition"/> holds; returns how long that took.</summary>
    public async Task<TimeSpan> WaitForLeasesAsync(Func<IReadOnlyList<Lease>, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var leases = await LeasesAsync();
            if (condition(leases))
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Leases: {string.Join(", ", leases.Select(l => $"{l.ShardId}@{OwnerOf(l)}"))}\n{Outputs()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Every lease owned, each of <paramref name="workers"/> holding its fair share (counts differ by at most one).</summary>
    public Task<TimeSpan> WaitForBalanceAsync(IReadOnlyCollection<string> workers, TimeSpan timeout) =>
        WaitForLeasesAsync(
            leases =>
            {
                var loads = workers.Select(w => leases.Count(l => OwnerOf(l) == w)).ToList();
                return loads.Sum() == leases.Count && leases.Count == tables.Count && loads.Max() - loads.Min() <= 1;
            },
            timeout);

    /// <summary>Waits until every change of every table reached the target at least once.</summary>
    public async Task WaitForEverythingAsync(TimeSpan timeout)
    {
        var expected = new HashSet<(string Table, string Sequence)>();
        for (var i = 0; i < tables.Count; i++)
        {
            foreach (var change in await SourceReadback.ReadAllAsync(aws.Streams, streamArns[i]))
            {
                expected.Add((tables[i].TableName, change.SequenceNumber));
            }
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            var forwarded = (await aws.ReadTargetAsync(Target)).Select(r => (r.TableName, r.SequenceNumber)).ToHashSet();
            if (forwarded.IsSupersetOf(expected))
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{expected.Count(e => !forwarded.Contains(e))} of {expected.Count} changes not forwarded.\n{Outputs()}");
            }

            await Task.Delay(500);
        }
    }

    /// <summary>One report per table, comparing its stream with the target's records of that table.</summary>
    public async Task<IReadOnlyList<DeliveryReport>> CompareAsync()
    {
        var forwarded = await aws.ReadTargetAsync(Target);
        var reports = new List<DeliveryReport>();
        for (var i = 0; i < tables.Count; i++)
        {
            var source = await SourceReadback.ReadAllAsync(aws.Streams, streamArns[i]);
            reports.Add(DeliveryReport.Compare(source, [.. forwarded.Where(r => r.TableName == tables[i].TableName)]));
        }

        return reports;
    }

    /// <summary>SIGTERM to every running worker; each must drain, release and exit 0.</summary>
    public async Task TerminateAllAsync()
    {
        foreach (var worker in Workers.Values.Where(w => !w.HasExited))
        {
            worker.Terminate();
        }

        foreach (var (id, worker) in Workers)
        {
            var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(40));
            Assert.True(exit is 0 or 137, $"{id} exited with {exit}\n{worker.Output}");
        }
    }

    /// <summary>Asserts <paramref name="holds"/> of every table's report, showing the report and the workers' logs otherwise.</summary>
    public void AssertEvery(IEnumerable<DeliveryReport> reports, Func<DeliveryReport, bool> holds)
    {
        foreach (var report in reports)
        {
            Assert.True(holds(report), report + Outputs());
        }
    }

    public string Outputs() => string.Join("\n", Workers.Select(w => $"==== {w.Key}\n{Tail(w.Value.Output)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in Workers.Values)
        {
            await worker.DisposeAsync();
        }
    }

    private static string Tail(string text) => text.Length > 6000 ? text[^6000..] : text;
}
