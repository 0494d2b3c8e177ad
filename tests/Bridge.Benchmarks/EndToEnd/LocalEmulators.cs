using Amazon.DynamoDBv2;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Testing;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary>DynamoDB Local and kinesalite started side by side on 127.0.0.1, with the clients the end-to-end benchmarks use.</summary>
internal sealed class LocalEmulators : IAsyncDisposable
{
    private readonly AwsClientFactory _streamsFactory;
    private readonly AwsClientFactory _kinesisFactory;

    private LocalEmulators(EmulatorProcess dynamoDbLocal, EmulatorProcess kinesalite)
    {
        DynamoDbLocal = dynamoDbLocal;
        Kinesalite = kinesalite;
        _streamsFactory = dynamoDbLocal.CreateClientFactory();
        _kinesisFactory = kinesalite.CreateClientFactory();
        Streams = _streamsFactory.CreateDynamoDbStreamsClient();
        Kinesis = _kinesisFactory.CreateKinesisClient();
        DynamoDb = new AmazonDynamoDBClient(EmulatorProcess.Credentials, new AmazonDynamoDBConfig
        {
            ServiceURL = dynamoDbLocal.Endpoint.ToString(),
            AuthenticationRegion = EmulatorProcess.Region,
        });
    }

    public EmulatorProcess DynamoDbLocal { get; }

    public EmulatorProcess Kinesalite { get; }

    public IDynamoDbStreamsClient Streams { get; }

    public IKinesisClient Kinesis { get; }

    public AmazonDynamoDBClient DynamoDb { get; }

    public static async Task<LocalEmulators> StartAsync(CancellationToken cancellationToken)
    {
        var dynamoDbStart = LocalAws.StartDynamoDbLocalAsync(cancellationToken);
        var kinesalite = await LocalAws.StartKinesaliteAsync(cancellationToken);
        return new LocalEmulators(await dynamoDbStart, kinesalite);
    }

    public async ValueTask DisposeAsync()
    {
        DynamoDb.Dispose();
        _streamsFactory.Dispose();
        _kinesisFactory.Dispose();
        await Kinesalite.DisposeAsync();
        await DynamoDbLocal.DisposeAsync();
    }
}
