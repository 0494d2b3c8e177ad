using Amazon.DynamoDBv2;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Testing;
using Bridge.Testing.Chat;

namespace Bridge.IntegrationTests.Forwarding;

/// <summary>Resharding the target (what a redeploy with a new targetShardCount does) while the bridge runs, on kinesis-mock.</summary>
public sealed class TargetReshardingTests : IAsyncLifetime
{
    private EmulatorProcess _dynamo = null!;
    private EmulatorProcess _kinesis = null!;
    private AwsClientFactory _dynamoFactory = null!;
    private AwsClientFactory _kinesisFactory = null!;
    private AmazonDynamoDBClient _dynamoClient = null!;

    public async Task InitializeAsync()
    {
        var dynamo = LocalAws.StartDynamoDbLocalAsync();
        var kinesis = LocalAws.StartKinesisMockAsync();
        _dynamo = await dynamo;
        _kinesis = await kinesis;
        _dynamoFactory = _dynamo.CreateClientFactory();
        _kinesisFactory = _kinesis.CreateClientFactory();
        _dynamoClient = ChatTable.CreateClient(_dynamo.Endpoint);
    }

    public async Task DisposeAsync()
    {
        _dynamoClient.Dispose();
        _dynamoFactory.Dispose();
        _kinesisFactory.Dispose();
        await _kinesis.DisposeAsync();
        await _dynamo.DisposeAsync();
    }

    [Fact]
    public async Task Forwarding_goes_on_through_an_UpdateShardCount_with_per_room_order_intact()
    {
        var kinesis = _kinesisFactory.CreateKinesisClient();
        var streams = _dynamoFactory.CreateDynamoDbStreamsClient();
        var table = new ChatTable(_dynamoClient, "chat-reshard");
        var streamArn = await table.CreateAsync();
        await kinesis.CreateStreamAsync("reshard-out", 2, CancellationToken.None);
        await WaitActiveAsync(kinesis);
        var workload = new ChatWorkload(rooms: 40, seed: 11);
        await table.ApplyAsync(workload.Next(600));

        var settings = BridgeProcess.EmulatorEnvironment(_dynamo.Endpoint, _kinesis.Endpoint);
        settings["Bridge__Sources__0__TableName"] = "chat-reshard";
        settings["Bridge__Sources__0__PartitionKey"] = "roomId";
        settings["Bridge__Target__StreamName"] = "reshard-out";
        settings["Bridge__Checkpoints__TableName"] = "reshard-checkpoints";
        settings["Bridge__Sink__ShardMapRefreshInterval"] = "00:00:01";
        await using var bridge = BridgeProcess.Start(settings);
        await WaitForAsync(kinesis, 600, bridge);

        await kinesis.UpdateShardCountAsync(KinesisStreamRef.FromName("reshard-out"), 4, CancellationToken.None);
        await WaitActiveAsync(kinesis);
        await table.ApplyAsync(workload.Next(600));
        await WaitForAsync(kinesis, 1200, bridge);
        bridge.Terminate();
        Assert.Equal(0, await bridge.WaitForExitAsync(TimeSpan.FromSeconds(40)));

        var shards = await ListShardsAsync(kinesis);
        Assert.True(shards.Count(s => s.EndingSequenceNumber is null) == 4 && shards.Count > 4, "the stream was resharded into 4 open children");

        // Read back parents before children: a room's records continue in a child where they stopped in its parent.
        var report = DeliveryReport.Compare(await SourceReadback.ReadAllAsync(streams, streamArn), await KinesisReadback.ReadAllAsync(kinesis, "reshard-out"));
        Assert.True(report.Missing == 0 && report.Duplicates == 0 && report.RoomsOutOfOrder == 0, report.ToString());
        Assert.True(report.PerTargetShard.Count > 2, "records reached the new shards");
    }

    private static async Task<List<KinesisShard>> ListShardsAsync(IKinesisClient kinesis)
    {
        var shards = new List<KinesisShard>();
        string? token = null;
        do
        {
            var page = await kinesis.ListShardsAsync(KinesisStreamRef.FromName("reshard-out"), token, CancellationToken.None);
            shards.AddRange(page.Shards);
            token = page.NextToken;
        }
        while (token is not null);
        return shards;
    }

    private static async Task WaitActiveAsync(IKinesisClient kinesis)
    {
        while ((await kinesis.DescribeStreamSummaryAsync(KinesisStreamRef.FromName("reshard-out"), CancellationToken.None)).StreamStatus != "ACTIVE")
        {
            await Task.Delay(100);
        }
    }

    private static async Task WaitForAsync(IKinesisClient kinesis, int count, BridgeProcess bridge)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        while ((await KinesisReadback.ReadAllAsync(kinesis, "reshard-out")).Select(r => r.SequenceNumber + r.SourceShardId).Distinct().Count() < count)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline && !bridge.HasExited, bridge.Output);
            await Task.Delay(1000);
        }
    }
}
