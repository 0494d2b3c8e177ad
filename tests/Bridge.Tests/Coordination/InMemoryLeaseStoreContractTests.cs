using Bridge.Testing;
using Bridge.Coordination;
using Bridge.Tests.Fakes;

namespace Bridge.Tests.Coordination;

/// <summary>The in-memory fake the engine tests use keeps the same contract as DynamoDB (see DynamoDbLeaseStoreContractTests).</summary>
public sealed class InMemoryLeaseStoreContractTests : LeaseStoreContract
{
    protected override Task<ILeaseStore> CreateStoreAsync() => Task.FromResult<ILeaseStore>(new InMemoryLeaseStore());
}
