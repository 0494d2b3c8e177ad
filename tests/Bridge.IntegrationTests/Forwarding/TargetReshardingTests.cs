using Bridge.Aws.Kinesis;
using Bridge.Testing;
using Bridge.Testing.Chat;

namespace Bridge.IntegrationTests.Forwarding;

/// <summary>Resharding the target (what a redeploy with a new targetShardCount does) while the bridge runs, on kinesis-mock.</summary>
public sealed class TargetReshardingTests(ReshardableChatEmulators aws) : IClassFixture<ReshardableChatEmulators>
{
    [Fact]
    public async Task Forwarding_goes_on_through_an_UpdateShardCount_with_per_room_order_intact()
    {
        var table = await aws.CreateTableAsync("chat-reshard");
        await aws.CreateTargetAsync("reshard-out", shards: 2);
        var workload = new ChatWorkload(rooms: 40, seed: 11);
        await table.ApplyAsync(workload.Next(600));

        var settings = aws.BridgeSettings("chat-reshard", "reshard-out", "reshard-checkpoints");
        settings["Bridge__Sink__ShardMapRefreshInterval"] = "00:00:01";
        await using var bridge = BridgeProcess.Start(settings);
        await aws.WaitForDistinctAsync("reshard-out", 600, bridge);

        await aws.KinesisClient.UpdateShardCountAsync(KinesisStreamRef.FromName("reshard-out"), 4, CancellationToken.None);
        await aws.KinesisClient.WaitUntilActiveAsync(KinesisStreamRef.FromName("reshard-out"));
        await table.ApplyAsync(workload.Next(600));
        await aws.WaitForDistinctAsync("reshard-out", 1200, bridge);
        var report = await aws.StopAndCompareAsync(bridge, table, "reshard-out");
        var shards = await aws.KinesisClient.ListAllShardsAsync(KinesisStreamRef.FromName("reshard-out"), CancellationToken.None);
        Assert.True(shards.Count(s => s.EndingSequenceNumber is null) == 4 && shards.Count > 4, "the stream was resharded into 4 open children");

        // The readback lists parents before children: a room's records continue in a child where they stopped in its parent.
        Assert.True(report.Missing == 0 && report.Duplicates == 0 && report.RoomsOutOfOrder == 0, report.ToString());
        Assert.True(report.PerTargetShard.Count > 2, "records reached the new shards");
    }
}
