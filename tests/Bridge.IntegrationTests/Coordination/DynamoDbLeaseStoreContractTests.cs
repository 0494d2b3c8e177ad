using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Bridge.Coordination;
using Bridge.Testing;
using Bridge.Testing.Chat;
using Bridge.Tests.Coordination;

namespace Bridge.IntegrationTests.Coordination;

/// <summary>One DynamoDB Local for the contract suite; the tests share one lease table (each works on its own stream).</summary>
public sealed class DynamoDbLocalFixture : IAsyncLifetime
{
    private EmulatorProcess? _dynamoDb;

    public Uri Endpoint => _dynamoDb!.Endpoint;

    public IAmazonDynamoDB Client { get; private set; } = null!;

    public DynamoDbLeaseStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _dynamoDb = await LocalAws.StartDynamoDbLocalAsync();
        Client = ChatTable.CreateClient(_dynamoDb.Endpoint);
        Store = new DynamoDbLeaseStore(Client, "lease-contract", TimeProvider.System);
        await Store.EnsureCreatedAsync(default);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_dynamoDb is not null)
        {
            await _dynamoDb.DisposeAsync();
        }
    }
}

/// <summary>The real lease store passes the same contract as the in-memory fake the engine tests use.</summary>
public sealed class DynamoDbLeaseStoreContractTests(DynamoDbLocalFixture dynamoDb) : LeaseStoreContract, IClassFixture<DynamoDbLocalFixture>
{
    protected override Task<ILeaseStore> CreateStoreAsync() => Task.FromResult<ILeaseStore>(dynamoDb.Store);

    [Fact]
    public async Task A_checkpoint_item_of_the_single_worker_version_reads_as_an_unowned_lease_and_keeps_its_checkpoint()
    {
        var stream = $"arn:aws:dynamodb:us-east-1:000000000000:table/old{Guid.NewGuid():N}/stream/x";
        await dynamoDb.Client.PutItemAsync(new PutItemRequest
        {
            TableName = "lease-contract",
            Item = new()
            {
                ["leaseKey"] = new AttributeValue { S = Lease.KeyOf(stream, "shard-1") },
                ["streamArn"] = new AttributeValue { S = stream },
                ["shardId"] = new AttributeValue { S = "shard-1" },
                ["checkpoint"] = new AttributeValue { S = "12345" },
                ["updatedAt"] = new AttributeValue { S = "2026-01-01T00:00:00Z" },
            },
        });

        var old = Assert.Single(await dynamoDb.Store.ListAsync([stream], default));
        Assert.Equal((null, 0L, "12345"), (old.Owner, old.Counter, old.Checkpoint.ToString()));
        var taken = await dynamoDb.Store.TryTakeAsync(old, "w1", default);
        Assert.Equal(("w1", 1L, "12345"), (taken!.Owner, taken.Counter, taken.Checkpoint.ToString()));
    }
}
