using Amazon.DynamoDBv2;
using Bridge.Coordination;
using Bridge.Testing;
using Bridge.Testing.Chat;
using Bridge.Tests.Coordination;

namespace Bridge.IntegrationTests.Coordination;

/// <summary>One DynamoDB Local for the contract suite; the tests share one lease table (each works on its own stream).</summary>
public sealed class DynamoDbLocalFixture : IAsyncLifetime
{
    private EmulatorProcess? _dynamoDb;

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
}
