using Bridge.Testing;
using Bridge.Testing.Chat;

namespace Bridge.IntegrationTests.Forwarding;

/// <summary>The real host process, DynamoDB Local → bridge → kinesalite, with a chat workload.</summary>
public sealed class ChatForwardingTests(ChatEmulators aws) : IClassFixture<ChatEmulators>
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Chat_workload_arrives_exactly_once_in_per_room_order_spread_over_every_target_shard()
    {
        var table = await aws.CreateTableAsync("chat-full");
        await aws.CreateTargetAsync("chat-full-out", shards: 4);
        var workload = new ChatWorkload(rooms: 120, seed: 1);

        // Half is a backlog the bridge catches up on from TRIM_HORIZON, half arrives while it runs.
        await table.ApplyAsync(workload.Next(5_000));
        await using var bridge = BridgeProcess.Start(aws.BridgeSettings(table.TableName, "chat-full-out", "chat-full-checkpoints"));
        await table.ApplyAsync(workload.Next(5_000));
        await aws.WaitForDistinctAsync("chat-full-out", 10_000, bridge);

        var report = await aws.StopAndCompareAsync(bridge, table, "chat-full-out");
        Assert.True(report.ExactlyOnceInOrder, report.ToString());
        Assert.Equal(10_000, report.SourceChanges);
        Assert.Equal(120, report.Rooms);
        Assert.Equal(4, report.PerTargetShard.Count);
    }

    [Fact]
    public async Task A_graceful_restart_mid_run_neither_loses_nor_repeats_anything()
    {
        var report = await InterruptMidRunAsync("chat-restart", bridge => bridge.Terminate(), expectedExitCode: 0);
        Assert.True(report.ExactlyOnceInOrder, report.ToString());
    }

    [Fact]
    public async Task Kill_9_mid_run_loses_nothing_and_keeps_first_occurrences_in_order()
    {
        var report = await InterruptMidRunAsync("chat-kill", bridge => bridge.Kill(), expectedExitCode: null);
        Assert.True(report.NothingLostInOrder, report.ToString());
    }

    [Fact]
    public async Task Kill_9_mid_run_with_KPL_aggregation_loses_nothing_and_keeps_first_occurrences_in_order()
    {
        var report = await InterruptMidRunAsync("chat-kill-kpl", bridge => bridge.Kill(), expectedExitCode: null, aggregation: "Kpl");
        Assert.True(report.NothingLostInOrder, report.ToString());
    }

    [Fact]
    public async Task Latest_forwards_only_changes_made_after_start()
    {
        var table = await aws.CreateTableAsync("chat-latest");
        await aws.CreateTargetAsync("chat-latest-out", shards: 2);
        var workload = new ChatWorkload(rooms: 10, seed: 4);
        await table.ApplyAsync(workload.Next(200));
        var history = (await aws.CompareAsync(table, "chat-latest-out")).SourceChanges;

        await using var bridge = BridgeProcess.Start(aws.BridgeSettings(table.TableName, "chat-latest-out", "chat-latest-checkpoints", "LATEST"));

        // LATEST takes effect when the bridge first reads the shard; a trickle of changes shows when that happened.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
        while ((await aws.ReadTargetAsync("chat-latest-out")).Count == 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline && !bridge.HasExited, bridge.Output);
            await table.ApplyAsync(workload.Next(1));
            await Task.Delay(200);
        }

        await table.ApplyAsync(workload.Next(100));
        var streamArn = (await aws.DynamoDbClient.DescribeTableAsync(table.TableName)).Table.LatestStreamArn;
        var source = await SourceReadback.ReadAllAsync(aws.Streams, streamArn);
        var newest100 = source.Skip(source.Count - 100).ToList();
        await aws.WaitUntilAsync("chat-latest-out", records => newest100.All(c => records.Any(r => r.SequenceNumber == c.SequenceNumber)), bridge);

        var forwarded = (await aws.ReadTargetAsync("chat-latest-out")).Select(r => r.SequenceNumber).ToHashSet();
        Assert.DoesNotContain(source.Take(history), c => forwarded.Contains(c.SequenceNumber));
        Assert.All(newest100, c => Assert.Contains(c.SequenceNumber, forwarded));
        Assert.Equal(0, await bridge.StopAsync());
    }

    [Fact]
    public async Task Trim_horizon_forwards_the_history_a_table_already_has()
    {
        var table = await aws.CreateTableAsync("chat-history");
        await aws.CreateTargetAsync("chat-history-out", shards: 2);
        await table.ApplyAsync(new ChatWorkload(rooms: 10, seed: 5).Next(300));

        await using var bridge = BridgeProcess.Start(aws.BridgeSettings(table.TableName, "chat-history-out", "chat-history-checkpoints"));
        await aws.WaitForDistinctAsync("chat-history-out", 300, bridge);
        Assert.True((await aws.StopAndCompareAsync(bridge, table, "chat-history-out")).ExactlyOnceInOrder);
    }

    [Fact]
    public async Task Kpl_aggregation_packs_each_rooms_backlog_and_a_KPL_aware_reader_gets_every_change_once_in_order()
    {
        var table = await aws.CreateTableAsync("chat-kpl");
        await aws.CreateTargetAsync("chat-kpl-out", shards: 2);
        await table.ApplyAsync(new ChatWorkload(rooms: 20, seed: 6).Next(3_000));
        var settings = aws.BridgeSettings(table.TableName, "chat-kpl-out", "chat-kpl-checkpoints");
        settings["Bridge__Target__Aggregation"] = "Kpl";
        settings["Bridge__Target__MaxAggregateBytes"] = "20000";

        await using var bridge = BridgeProcess.Start(settings);
        await aws.WaitForDistinctAsync("chat-kpl-out", 3_000, bridge);

        var report = await aws.StopAndCompareAsync(bridge, table, "chat-kpl-out");
        Assert.True(report.ExactlyOnceInOrder, report.ToString());
        Assert.Equal(3_000, report.SourceChanges);
        var kinesisRecords = await KinesisReadback.ReadKinesisRecordsAsync(aws.KinesisClient, "chat-kpl-out");
        Assert.True(kinesisRecords.Count < 3_000 / 4, $"3000 changes took {kinesisRecords.Count} Kinesis records");
        Assert.All(kinesisRecords, r => Assert.True(r.Record.Data.Length + r.Record.PartitionKey.Length <= 20_000));
    }

    /// <summary>Runs the bridge over a backlog, interrupts it a third of the way, adds more changes, runs it again to the end.</summary>
    private async Task<DeliveryReport> InterruptMidRunAsync(string name, Action<BridgeProcess> interrupt, int? expectedExitCode, string aggregation = "None")
    {
        var table = await aws.CreateTableAsync(name);
        await aws.CreateTargetAsync(name + "-out", shards: 4);
        var workload = new ChatWorkload(rooms: 100, seed: name.Length);
        var settings = aws.BridgeSettings(table.TableName, name + "-out", name + "-checkpoints");
        settings["Bridge__Target__Aggregation"] = aggregation;
        await table.ApplyAsync(workload.Next(3_000));

        await using (var first = BridgeProcess.Start(settings))
        {
            await aws.WaitForDistinctAsync(name + "-out", 1_000, first);
            interrupt(first);
            var exitCode = await first.WaitForExitAsync(ExitTimeout);
            if (expectedExitCode is { } expected)
            {
                Assert.Equal(expected, exitCode);
            }
        }

        await table.ApplyAsync(workload.Next(1_000));
        await using var second = BridgeProcess.Start(settings);
        await aws.WaitForDistinctAsync(name + "-out", 4_000, second);
        return await aws.StopAndCompareAsync(second, table, name + "-out");
    }
}
