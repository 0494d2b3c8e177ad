using System.Net;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Bridge.Coordination;
using Bridge.Testing;

namespace Bridge.IntegrationTests.Coordination;

/// <summary>A lease write that DynamoDB applied but whose answer was lost, over the wire: the AWS SDK retries it, the
/// retry's condition fails, and the holder must recognise its own write rather than give the shard up.</summary>
public sealed class LostLeaseAnswerTests(DynamoDbLocalFixture dynamoDb) : IClassFixture<DynamoDbLocalFixture>
{
    [Fact]
    public async Task A_checkpoint_applied_before_its_answer_was_lost_keeps_the_lease_when_the_SDK_retry_is_refused()
    {
        var handler = new FaultInjectingHandler();
        using var client = new AmazonDynamoDBClient(EmulatorProcess.Credentials, new AmazonDynamoDBConfig
        {
            ServiceURL = dynamoDb.Endpoint.ToString(),
            AuthenticationRegion = EmulatorProcess.Region,
            HttpClientFactory = new HandlerClientFactory(handler),
        });
        var store = new DynamoDbLeaseStore(client, "lease-contract", TimeProvider.System);
        var stream = $"arn:aws:dynamodb:us-east-1:000000000000:table/lost{Guid.NewGuid():N}/stream/x";
        await store.TryCreateAsync(Lease.New(stream, "A", null), default);
        var taken = await store.TryTakeAsync((await store.GetAsync(Lease.KeyOf(stream, "A"), default))!, "w1", default);
        var held = new HeldLease(store, taken!, TimeProvider.System.GetTimestamp(), TimeSpan.FromSeconds(30), TimeProvider.System);
        var updatesBefore = handler.CountOf("UpdateItem");

        // DynamoDB applies the checkpoint; the answer the SDK gets is a 500, so it sends the same write again.
        handler.Enqueue(new Fault("UpdateItem", async (request, forward, cancellationToken) =>
        {
            using var applied = await forward(request, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
            return new HttpResponseMessage(HttpStatusCode.InternalServerError)
            {
                Content = new StringContent("""{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected"}"""),
            };
        }));

        Assert.True(await held.TryCheckpointAsync(Checkpoint.Latest, default));

        Assert.False(held.IsLost);
        // Applied, the SDK's refused retry, and the holder's write from the counter it found.
        Assert.Equal(3, handler.CountOf("UpdateItem") - updatesBefore);
        var stored = await store.GetAsync(held.LeaseKey, default);
        Assert.Equal(("w1", Checkpoint.Latest, taken!.Counter + 2), (stored!.Owner, stored.Checkpoint, stored.Counter));
        Assert.True(await held.TryRenewAsync(default));
    }

    /// <summary>Hands the SDK an HttpClient over the fault-injecting handler.</summary>
    private sealed class HandlerClientFactory(HttpMessageHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;
    }
}
