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
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_checkpoint_keeps_the_lease_however_many_answers_in_a_row_are_lost_after_DynamoDB_applied_the_write(int lostInARow)
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

        // Each time: DynamoDB applies the write, the answer the SDK gets is a 500, so it sends the same write again,
        // which DynamoDB refuses (its condition names the counter the applied write moved on). Then the holder's
        // write from the counter it found meets the same fate, up to lostInARow times.
        for (var i = 0; i < lostInARow; i++)
        {
            handler.Enqueue(AppliedButAnswerLost(), new Fault("UpdateItem", (request, forward, cancellationToken) => forward(request, cancellationToken)));
        }

        Assert.True(await held.TryCheckpointAsync(Checkpoint.Latest, default));

        Assert.False(held.IsLost);
        // Per lost answer: the applied write and the SDK's refused retry; then the holder's write that was answered.
        Assert.Equal((2 * lostInARow) + 1, handler.CountOf("UpdateItem") - updatesBefore);
        var stored = await store.GetAsync(held.LeaseKey, default);
        Assert.Equal(("w1", Checkpoint.Latest, taken!.Counter + lostInARow + 1), (stored!.Owner, stored.Checkpoint, stored.Counter));
        Assert.True(await held.TryRenewAsync(default));
    }

    private static Fault AppliedButAnswerLost() => new("UpdateItem", async (request, forward, cancellationToken) =>
    {
        using var applied = await forward(request, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        return new HttpResponseMessage(HttpStatusCode.InternalServerError)
        {
            Content = new StringContent("""{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected"}"""),
        };
    });

    /// <summary>Hands the SDK an HttpClient over the fault-injecting handler.</summary>
    private sealed class HandlerClientFactory(HttpMessageHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;
    }
}
