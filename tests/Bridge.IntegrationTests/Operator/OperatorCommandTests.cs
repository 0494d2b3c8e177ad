using System.Diagnostics;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.DynamoDbStreams;
using Bridge.IntegrationTests.Forwarding;
using Bridge.Testing;
using Bridge.Testing.Chat;

namespace Bridge.IntegrationTests.Operator;

/// <summary><c>Bridge.Host plan --sample</c> and <c>Bridge.Host status</c> as real processes, over the wire, against
/// DynamoDB Local and kinesalite while the real host forwards.</summary>
public sealed class OperatorCommandTests(ChatEmulators aws) : IClassFixture<ChatEmulators>
{
    private const string HotRoom = "room-hot";
    private const int ColdRooms = 19;
    private const string WorkerId = "worker-under-test";

    [Fact]
    public async Task Plan_sample_measures_what_the_test_writes_while_the_bridge_forwards_and_writes_nothing()
    {
        var table = await aws.CreateTableAsync("op-sample");
        await aws.CreateTargetAsync("op-sample-out", shards: 2);
        await using var bridge = BridgeProcess.Start(Settings(table, "op-sample-out", "op-sample-leases"));
        var tablesBefore = await TablesBesideAsync("op-sample-leases");

        // A steady 40 writes/s, one in four to the hot room, the rest round the 19 others, before, during and after the sample.
        using var stop = new CancellationTokenSource();
        var writer = WriteSteadilyAsync(table, writesPerBatch: 10, batchInterval: TimeSpan.FromMilliseconds(250), stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var plan = await HostCommand.RunAsync(Environment(), ["plan", "--sample", table.TableName, "--key", "roomId", "--seconds", "8", "--consumer-records-per-second", "15", "--json"]);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        var (written, seconds) = await writer;

        Assert.True(plan.ExitCode == 0, plan.Error + plan.Output);
        using var json = JsonDocument.Parse(plan.Output);
        var sample = json.RootElement.GetProperty("sample");
        var writtenPerSecond = written / seconds;

        // Tolerances: the rate within 20 % of the writer's own (batches land on 250 ms ticks, the window's ends are
        // not aligned with them); the hot key's share within 7 points of 25 %; the bytes within 10 % of the stream's own.
        Assert.InRange(sample.GetProperty("recordsPerSecond").GetDouble(), writtenPerSecond * 0.8, writtenPerSecond * 1.2);
        Assert.Equal(ColdRooms + 1, sample.GetProperty("distinctKeys").GetInt64());
        var hottest = sample.GetProperty("hottestKeys")[0];
        Assert.Equal(HotRoom, hottest.GetProperty("key").GetString());
        Assert.InRange(sample.GetProperty("hotKeyShare").GetDouble(), 0.18, 0.32);
        var streamArn = (await aws.DynamoDbClient.DescribeTableAsync(table.TableName)).Table.LatestStreamArn;
        Assert.InRange(sample.GetProperty("meanRecordBytes").GetDouble(), await MeanRecordBytesAsync(streamArn) * 0.9, await MeanRecordBytesAsync(streamArn) * 1.1);
        var shards = (await aws.Streams.DescribeAllShardsAsync(streamArn, CancellationToken.None)).Shards.Count(s => s.EndingSequenceNumber is null);
        Assert.Equal(shards, sample.GetProperty("openShards").GetInt32());

        // The plan sized from it: 40/s over consumers of 15/s needs ceil(40 / 12.75) = 4 shards (3 at the least rate seen).
        var planned = json.RootElement.GetProperty("plan");
        Assert.InRange(planned.GetProperty("targetShards").GetInt32(), 3, 4);
        Assert.Equal(4, planned.GetProperty("costs").GetArrayLength());

        // Read-only: no table was created (beside the bridge's own lease table), and the bridge (reading the same shards) still delivers every change once.
        Assert.Equal(tablesBefore, await TablesBesideAsync("op-sample-leases"));
        await AssertDeliveredExactlyOnceAsync(bridge, table, "op-sample-out", written);
    }

    [Fact]
    public async Task Status_shows_every_shard_read_by_the_running_worker_caught_up_the_target_shards_and_items_it_does_not_know()
    {
        var table = await aws.CreateTableAsync("op-status");
        await using var bridge = await StartForwardingAsync(table, targetShards: 3, backlog: 200);

        // Another kind of item in the lease table (as a merge mode's group lease would be): shown, not misread.
        await aws.DynamoDbClient.PutItemAsync("op-status-leases", new() { ["leaseKey"] = new AttributeValue { S = "group|op-status" }, ["groupOwner"] = new AttributeValue { S = WorkerId } });

        var status = await HostCommand.RunAsync(Environment(), ["status", "--lease-table", "op-status-leases", "--target", "op-status-out", "--json"]);

        Assert.True(status.ExitCode == 0, status.Error + status.Output);
        using var json = JsonDocument.Parse(status.Output);
        var root = json.RootElement;
        var streamArn = (await aws.DynamoDbClient.DescribeTableAsync(table.TableName)).Table.LatestStreamArn;
        var open = (await aws.Streams.DescribeAllShardsAsync(streamArn, CancellationToken.None)).Shards.Where(s => s.EndingSequenceNumber is null).Select(s => s.ShardId).Order().ToList();
        var shards = root.GetProperty("shards").EnumerateArray().ToList();
        Assert.Equal(open, shards.Select(s => s.GetProperty("shardId").GetString()!).Order().ToList());
        Assert.All(shards, s =>
        {
            Assert.Equal("Reading", s.GetProperty("state").GetString());
            Assert.Equal(WorkerId, s.GetProperty("owner").GetString());
            Assert.Equal("op-status", s.GetProperty("table").GetString());
            Assert.True(SequenceNumber.TryParse(s.GetProperty("checkpoint").GetString(), out _));
            Assert.Equal(0, s.GetProperty("behindSeconds").GetDouble());
            Assert.InRange(s.GetProperty("checkpointAgeSeconds").GetDouble(), 0, 120);
        });
        var worker = Assert.Single(root.GetProperty("workers").EnumerateArray());
        Assert.Equal(WorkerId, worker.GetProperty("worker").GetString());
        Assert.Equal(open.Count, worker.GetProperty("leases").GetInt32());
        Assert.Equal(3, root.GetProperty("targetShards").EnumerateArray().Count(t => t.GetProperty("open").GetBoolean()));
        var other = Assert.Single(root.GetProperty("otherItems").EnumerateArray());
        Assert.Equal("group|op-status", other.GetProperty("key").GetString());

        // Behind: with the bridge frozen, new changes wait; status says how long the oldest has waited.
        bridge.Pause();
        try
        {
            await table.ApplyAsync(Messages(200, 20));
            await Task.Delay(TimeSpan.FromSeconds(3));
            var behind = await HostCommand.RunAsync(Environment(), ["status", "--lease-table", "op-status-leases", "--target", "op-status-out", "--json"]);
            using var behindJson = JsonDocument.Parse(behind.Output);
            var waited = behindJson.RootElement.GetProperty("shards").EnumerateArray().Max(s => s.GetProperty("behindSeconds").GetDouble());
            Assert.InRange(waited, 1, 120); // DynamoDB Local rounds creation times down to the minute

            // The same as text, from the configuration the worker uses (no --lease-table, --target).
            var text = await HostCommand.RunAsync(Settings(table, "op-status-out", "op-status-leases"), ["status"]);
            Assert.True(text.ExitCode == 0, text.Error);
            Assert.Matches(@"op-status\s*│\s*shardId-\S+.*│\s*reading\s*│\s*" + WorkerId, text.Output);
            Assert.Contains("group|op-status", text.Output, StringComparison.Ordinal);
            Assert.Contains("3 open shards", text.Output, StringComparison.Ordinal);
        }
        finally
        {
            bridge.Resume();
        }

        await AssertDeliveredExactlyOnceAsync(bridge, table, "op-status-out", 220);
    }

    [Fact]
    public async Task Status_watch_renders_a_live_table_in_a_terminal_refreshes_it_and_flags_a_frozen_owner()
    {
        var table = await aws.CreateTableAsync("op-watch");
        await using var bridge = await StartForwardingAsync(table, targetShards: 2, backlog: 50);

        // Part way through, the worker freezes (SIGSTOP): its lease counter stops, and after the lease duration (3 s
        // here, read from the same setting as the workers') the view says so.
        var watchEnvironment = Environment();
        watchEnvironment["Bridge__Leases__Duration"] = "00:00:03";
        var freeze = Task.Delay(TimeSpan.FromSeconds(4)).ContinueWith(_ => bridge.Pause(), TaskScheduler.Default);
        string screen;
        try
        {
            screen = await HostCommand.RunInTerminalAsync(
                watchEnvironment,
                ["status", "--lease-table", "op-watch-leases", "--target", "op-watch-out", "--watch", "--interval", "1"],
                done: s => Frames(s) >= 3 && s.Contains("owner silent", StringComparison.Ordinal),
                timeout: TimeSpan.FromSeconds(60));
        }
        finally
        {
            await freeze;
            bridge.Resume();
        }

        // Frames are redrawn in place (cursor movement), each a whole view: header, shard table with the worker, target shards.
        Assert.True(Frames(screen) >= 3, screen);
        Assert.Contains("\u001b[", screen, StringComparison.Ordinal);
        Assert.Matches(@"shardId-\S+.*│.*reading.*│.*" + WorkerId, screen);
        Assert.Contains("Target shards", screen, StringComparison.Ordinal);
        Assert.Contains("2 open shards", screen, StringComparison.Ordinal);
        Assert.Matches("╭|┌", screen);
        Assert.Matches(@"owner silent [3-9] s.*│.*" + WorkerId, screen);
    }

    [Fact]
    public async Task Bad_input_exits_non_zero_with_one_line_naming_the_problem()
    {
        await aws.CreateTableAsync("op-no-stream", stream: false);
        await using var denied = AccessDeniedEndpoint.Start();
        var deniedEnvironment = Environment();
        deniedEnvironment["AWS_ENDPOINT_URL_DYNAMODB"] = denied.Url;
        deniedEnvironment["Aws__MaxAttempts"] = "1";

        var cases = new (Dictionary<string, string> Environment, string[] Arguments, int Exit, string Says)[]
        {
            (Environment(), ["plan", "--sample", "no-such-table", "--key", "roomId", "--seconds", "1"], 2, "no-such-table"),
            (Environment(), ["plan", "--sample", "op-no-stream", "--key", "roomId", "--seconds", "1"], 2, "has no stream enabled"),
            (Environment(), ["plan", "--sample", "op-no-stream"], 2, "--key"),
            (Environment(), ["plan", "--writes-per-second", "many", "--record-bytes", "800"], 2, "many"),
            (Environment(), ["plan", "--record-bytes", "800"], 2, "--writes-per-second"),
            (Environment(), ["plan", "--writes-per-second", "350", "--record-bytes", "800", "--hot-key-share", "7"], 2, "--hot-key-share"),
            (Environment(), ["status", "--lease-table", "no-such-leases"], 2, "lease table 'no-such-leases' does not exist"),
            (Environment(), ["status"], 2, "--lease-table"),
            (BogusAwsKey(), ["status", "--lease-table", "any"], 2, "invalid configuration"),
            (deniedEnvironment, ["status", "--lease-table", "any"], 1, "access denied"),
            (deniedEnvironment, ["plan", "--sample", "any", "--key", "roomId", "--seconds", "1"], 1, "access denied"),
        };
        await aws.DynamoDbClient.CreateTableAsync(new CreateTableRequest
        {
            TableName = "op-leases-only",
            BillingMode = Amazon.DynamoDBv2.BillingMode.PAY_PER_REQUEST,
            KeySchema = [new KeySchemaElement("leaseKey", Amazon.DynamoDBv2.KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("leaseKey", Amazon.DynamoDBv2.ScalarAttributeType.S)],
        });

        foreach (var (environment, arguments, exit, says) in cases.Append((Environment(), ["status", "--lease-table", "op-leases-only", "--target", "no-such-stream"], 2, "target stream 'no-such-stream' does not exist")))
        {
            var result = await HostCommand.RunAsync(environment, arguments);
            var line = Assert.Single(result.ErrorLines);
            Assert.True(result.ExitCode == exit, $"{string.Join(' ', arguments)} exited {result.ExitCode}: {line}");
            Assert.Contains(says, line, StringComparison.Ordinal);
            Assert.Equal("", result.Output);
        }
    }

    /// <summary>Target <c>TABLE-out</c>, lease table <c>TABLE-leases</c>: a backlog written, the real host started,
    /// and waited for until the backlog is forwarded and checkpointed.</summary>
    private async Task<BridgeProcess> StartForwardingAsync(ChatTable table, int targetShards, int backlog)
    {
        await aws.CreateTargetAsync(table.TableName + "-out", targetShards);
        await table.ApplyAsync(Messages(0, backlog));
        var bridge = BridgeProcess.Start(Settings(table, table.TableName + "-out", table.TableName + "-leases"));
        await aws.WaitForDistinctAsync(table.TableName + "-out", backlog, bridge);
        await WaitForCheckpointsAsync(table.TableName + "-leases");
        return bridge;
    }

    private async Task AssertDeliveredExactlyOnceAsync(BridgeProcess bridge, ChatTable table, string target, int changes)
    {
        await aws.WaitForDistinctAsync(target, changes, bridge);
        var report = await aws.StopAndCompareAsync(bridge, table, target);
        Assert.True(report.ExactlyOnceInOrder, report.ToString());
    }

    private Dictionary<string, string> BogusAwsKey()
    {
        var environment = Environment();
        environment["Aws__MaxAttemps"] = "3";
        return environment;
    }

    private async Task<List<string>> TablesBesideAsync(string leaseTable) =>
        [.. (await aws.DynamoDbClient.ListTablesAsync()).TableNames.Where(t => t != leaseTable).Order()];

    private static int Frames(string screen) => screen.Split("Lease table op-watch-leases").Length - 1;

    private Dictionary<string, string> Environment() => BridgeProcess.EmulatorEnvironment(aws.DynamoDb.Endpoint, aws.Kinesis.Endpoint);

    private Dictionary<string, string> Settings(ChatTable table, string target, string leases)
    {
        var settings = aws.BridgeSettings(table.TableName, target, leases);
        settings["Bridge__Leases__WorkerId"] = WorkerId;
        return settings;
    }

    private static IEnumerable<ChatMutation> Messages(int from, int count) =>
        Enumerable.Range(from, count).Select(i => new ChatMutation(ChatMutationKind.Insert, i % 4 == 0 ? HotRoom : ChatWorkload.RoomName(i % ColdRooms), i, "author", "message " + i, 0));

    /// <summary>Writes batches on a fixed tick until cancelled; returns how many items and over how long.</summary>
    private static async Task<(int Written, double Seconds)> WriteSteadilyAsync(ChatTable table, int writesPerBatch, TimeSpan batchInterval, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var written = 0;
        using var tick = new PeriodicTimer(batchInterval);
        do
        {
            await table.ApplyAsync(Messages(written, writesPerBatch), CancellationToken.None);
            written += writesPerBatch;
        }
        while (await WaitAsync(tick, cancellationToken));

        return (written, clock.Elapsed.TotalSeconds);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer tick, CancellationToken cancellationToken)
    {
        try
        {
            return await tick.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<double> MeanRecordBytesAsync(string streamArn)
    {
        var lengths = new List<int>();
        foreach (var shard in (await aws.Streams.DescribeAllShardsAsync(streamArn, CancellationToken.None)).Shards)
        {
            var iterator = await aws.Streams.GetShardIteratorAsync(streamArn, shard.ShardId, ShardIteratorType.TrimHorizon, null, CancellationToken.None);
            while (iterator is not null)
            {
                var page = await aws.Streams.GetRecordsAsync(iterator, 1000, CancellationToken.None);
                lengths.AddRange(page.Records.Select(r => r.Json.Length));
                iterator = page.Records.Length == 0 ? null : page.NextShardIterator;
            }
        }

        return lengths.Average();
    }

    /// <summary>Waits until every lease of the table holds a sequence-number checkpoint (written every 200 ms here).</summary>
    private async Task WaitForCheckpointsAsync(string leaseTable)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var items = (await aws.DynamoDbClient.ScanAsync(new ScanRequest { TableName = leaseTable, ConsistentRead = true })).Items;
            if (items.Count > 0 && items.All(i => i.TryGetValue("checkpoint", out var c) && SequenceNumber.TryParse(c.S, out _)))
            {
                return;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "no checkpoints in " + leaseTable);
            await Task.Delay(200);
        }
    }
}
