using Amazon.DynamoDBv2;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Testing;
using Bridge.Testing.Chat;

namespace Bridge.IntegrationTests.Forwarding;

/// <summary>A fresh DynamoDB Local and kinesalite per test class, and the clients and helpers the tests share.</summary>
public class ChatEmulators : IAsyncLifetime
{
    private AwsClientFactory? _dynamoFactory;
    private AwsClientFactory? _kinesisFactory;

    public EmulatorProcess DynamoDb { get; private set; } = null!;

    public EmulatorProcess Kinesis { get; private set; } = null!;

    public IAmazonDynamoDB DynamoDbClient { get; private set; } = null!;

    public IDynamoDbStreamsClient Streams { get; private set; } = null!;

    public IKinesisClient KinesisClient { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dynamo = LocalAws.StartDynamoDbLocalAsync();
        var kinesis = StartKinesisAsync();
        DynamoDb = await dynamo;
        Kinesis = await kinesis;
        _dynamoFactory = DynamoDb.CreateClientFactory();
        _kinesisFactory = Kinesis.CreateClientFactory();
        Streams = _dynamoFactory.CreateDynamoDbStreamsClient();
        KinesisClient = _kinesisFactory.CreateKinesisClient();
        DynamoDbClient = ChatTable.CreateClient(DynamoDb.Endpoint);
    }

    /// <summary>kinesalite: fast and faithful, but it cannot reshard.</summary>
    protected virtual Task<EmulatorProcess> StartKinesisAsync() => LocalAws.StartKinesaliteAsync();

    public async Task DisposeAsync()
    {
        DynamoDbClient.Dispose();
        _dynamoFactory?.Dispose();
        _kinesisFactory?.Dispose();
        await Kinesis.DisposeAsync();
        await DynamoDb.DisposeAsync();
    }

    public async Task<ChatTable> CreateTableAsync(string name, bool stream = true)
    {
        var table = new ChatTable(DynamoDbClient, name);
        await table.CreateAsync(stream);
        return table;
    }

    public Task CreateTargetAsync(string name, int shards) => KinesisClient.CreateActiveStreamAsync(name, shards);

    /// <summary>Host settings for one source table into one target stream, checkpoints in <paramref name="checkpoints"/>.</summary>
    public Dictionary<string, string> BridgeSettings(string table, string target, string checkpoints, string startPosition = "TRIM_HORIZON")
    {
        var settings = BridgeProcess.EmulatorEnvironment(DynamoDb.Endpoint, Kinesis.Endpoint);
        settings["Bridge__Sources__0__TableName"] = table;
        settings["Bridge__Sources__0__PartitionKey"] = "roomId";
        settings["Bridge__Target__StreamName"] = target;
        settings["Bridge__Checkpoints__TableName"] = checkpoints;
        settings["Bridge__Checkpoints__Interval"] = "00:00:00.200";
        settings["Bridge__StartPosition"] = startPosition;

        // Short leases: a worker started after a kill -9 takes the dead worker's leases after 3 s, not 10 s.
        settings["Bridge__Leases__Duration"] = "00:00:03";
        return settings;
    }

    public Task<IReadOnlyList<ForwardedRecord>> ReadTargetAsync(string target) => KinesisReadback.ReadAllAsync(KinesisClient, target);

    public async Task<DeliveryReport> CompareAsync(ChatTable table, string target)
    {
        var streamArn = (await DynamoDbClient.DescribeTableAsync(table.TableName)).Table.LatestStreamArn;
        var source = await SourceReadback.ReadAllAsync(Streams, streamArn);
        return DeliveryReport.Compare(source, await ReadTargetAsync(target));
    }

    /// <summary>Stops the bridge as an orchestrator does (SIGTERM), checks that it drained and exited cleanly, and compares the target with the source.</summary>
    public async Task<DeliveryReport> StopAndCompareAsync(BridgeProcess bridge, ChatTable table, string target)
    {
        Assert.Equal(0, await bridge.StopAsync());
        return await CompareAsync(table, target);
    }

    /// <summary>Polls the target until it holds at least <paramref name="count"/> distinct source changes, or the time is up.</summary>
    public Task WaitForDistinctAsync(string target, int count, BridgeProcess bridge, TimeSpan? timeout = null) =>
        WaitUntilAsync(target, records => records.Select(r => (r.SourceShardId, r.SequenceNumber)).Distinct().Count() >= count, bridge, timeout);

    /// <summary>Polls the target until <paramref name="condition"/> holds for what it contains, or the time is up.</summary>
    public async Task WaitUntilAsync(string target, Func<IReadOnlyList<ForwardedRecord>, bool> condition, BridgeProcess bridge, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var records = await ReadTargetAsync(target);
            if (condition(records))
            {
                return;
            }

            if (bridge.HasExited || DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{records.Count} records forwarded, condition not met; bridge exited: {bridge.HasExited}.\n{bridge.Output}");
            }

            await Task.Delay(500);
        }
    }
}

/// <summary>The same with kinesis-mock, which supports UpdateShardCount with parent and child shards.</summary>
public sealed class ReshardableChatEmulators : ChatEmulators
{
    protected override Task<EmulatorProcess> StartKinesisAsync() => LocalAws.StartKinesisMockAsync();
}
