using Bridge.IntegrationTests.Forwarding;
using Bridge.Testing;
using Bridge.Testing.Chat;

namespace Bridge.IntegrationTests.Ordering;

/// <summary>The real host over the wire: three DynamoDB Local tables keyed by message id, one room's messages spread over
/// all three, forwarded by <c>roomId</c>. Merge mode keeps each room in <c>ts</c> order; Shard mode does not.</summary>
public sealed class MergedOrderTests(ChatEmulators aws) : IClassFixture<ChatEmulators>
{
    [Fact]
    public async Task Merge_mode_keeps_each_room_in_ts_order_across_three_tables_through_backlog_live_writes_and_a_graceful_restart()
    {
        var (messages, target) = await CreateAsync("merge-graceful");
        await messages.WriteAsync(600);
        await using (var first = BridgeProcess.Start(Settings(messages, target, "Merge")))
        {
            await messages.WriteAsync(300);
            await WaitForAsync(target, messages.Written / 2, first);
            Assert.Equal(0, await first.StopAsync());
        }

        await messages.WriteAsync(300);
        await using var second = BridgeProcess.Start(Settings(messages, target, "Merge"));
        await messages.WriteAsync(300);
        var report = await StopWhenAllForwardedAsync(second, messages, target);
        Assert.Equal(0, report.Duplicates);
        Assert.Empty(report.OrderViolations());
    }

    [Fact]
    public async Task Kill_9_in_merge_mode_loses_nothing_and_keeps_first_occurrences_in_ts_order()
    {
        var (messages, target) = await CreateAsync("merge-kill");
        await messages.WriteAsync(600);
        await using (var first = BridgeProcess.Start(Settings(messages, target, "Merge")))
        {
            await messages.WriteAsync(300);
            await WaitForAsync(target, 300, first);
            first.Kill();
        }

        await messages.WriteAsync(300);
        await using var second = BridgeProcess.Start(Settings(messages, target, "Merge"));
        var report = await StopWhenAllForwardedAsync(second, messages, target);
        Assert.Empty(report.OrderViolations());
    }

    [Fact]
    public async Task Shard_mode_breaks_the_order_of_a_room_spread_over_tables_which_merge_mode_keeps()
    {
        var (messages, target) = await CreateAsync("merge-contrast");
        await messages.WriteAsync(900);
        await using (var shardMode = BridgeProcess.Start(Settings(messages, target, "Shard")))
        {
            Assert.NotEmpty((await StopWhenAllForwardedAsync(shardMode, messages, target)).OrderViolations());
        }

        var mergedTarget = target + "-merged";
        await aws.CreateTargetAsync(mergedTarget, shards: 4);
        await using var mergeMode = BridgeProcess.Start(Settings(messages, mergedTarget, "Merge", checkpoints: target + "-merged-checkpoints"));
        Assert.Empty((await StopWhenAllForwardedAsync(mergeMode, messages, mergedTarget)).OrderViolations());
    }

    [Fact]
    public async Task Two_identical_workers_in_merge_mode_one_merges_the_other_takes_over_after_kill_9()
    {
        var (messages, target) = await CreateAsync("merge-standby");
        await messages.WriteAsync(300);
        var settings = Settings(messages, target, "Merge");
        await using var a = BridgeProcess.Start(settings);
        await using var b = BridgeProcess.Start(settings);
        await WaitForAsync(target, messages.Written, a);

        // Exactly one of them holds the merge group (EventId 102); the other stands by.
        var holder = await HolderAsync(a, b);
        var standby = holder == a ? b : a;
        Assert.DoesNotContain(standby.Lines, l => l.Contains("holds the merge group", StringComparison.Ordinal));

        holder.Kill();
        await messages.WriteAsync(300);
        var report = await StopWhenAllForwardedAsync(standby, messages, target);
        Assert.Contains(standby.Lines, l => l.Contains("holds the merge group", StringComparison.Ordinal));
        Assert.Empty(report.OrderViolations());
    }

    private static async Task<BridgeProcess> HolderAsync(BridgeProcess a, BridgeProcess b)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var holders = new[] { a, b }.Where(p => p.Lines.Any(l => l.Contains("holds the merge group", StringComparison.Ordinal))).ToList();
            if (holders.Count == 1)
            {
                return holders[0];
            }

            Assert.True(holders.Count == 0 && DateTimeOffset.UtcNow < deadline, $"{holders.Count} holders of the merge group\n{a.Output}\n---\n{b.Output}");
            await Task.Delay(200);
        }
    }

    private async Task<(RoomMessages Messages, string Target)> CreateAsync(string name)
    {
        var messages = new RoomMessages(aws.DynamoDbClient, [$"{name}-orders", $"{name}-lines", $"{name}-notes"], rooms: 20, seed: name.Length);
        await messages.CreateTablesAsync();
        await aws.CreateTargetAsync(name + "-out", shards: 4);
        return (messages, name + "-out");
    }

    private Dictionary<string, string> Settings(RoomMessages messages, string target, string mode, string? checkpoints = null)
    {
        var settings = aws.BridgeSettings(messages.Tables[0], target, checkpoints ?? target + "-checkpoints");
        settings["Bridge__Ordering__Mode"] = mode;
        for (var i = 0; i < messages.Tables.Count; i++)
        {
            settings[$"Bridge__Sources__{i}__TableName"] = messages.Tables[i];
            settings[$"Bridge__Sources__{i}__PartitionKey"] = "roomId";
            if (mode == "Merge")
            {
                settings[$"Bridge__Sources__{i}__OrderBy"] = "ts";
            }
        }

        return settings;
    }

    /// <summary>Waits until every message written is in the target, stops the bridge as an orchestrator does (SIGTERM,
    /// exit 0 after draining) and reads the target back, every message there.</summary>
    private async Task<MergedReport> StopWhenAllForwardedAsync(BridgeProcess bridge, RoomMessages messages, string target)
    {
        await WaitForAsync(target, messages.Written, bridge);
        Assert.Equal(0, await bridge.StopAsync());
        var report = await RoomMessages.ReadTargetAsync(aws.KinesisClient, target);
        Assert.Equal(messages.Written, report.Distinct);
        return report;
    }

    private async Task WaitForAsync(string target, int distinct, BridgeProcess bridge)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(3);
        while ((await RoomMessages.ReadTargetAsync(aws.KinesisClient, target)).Distinct < distinct)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline && !bridge.HasExited, bridge.Output);
            await Task.Delay(500);
        }
    }
}
