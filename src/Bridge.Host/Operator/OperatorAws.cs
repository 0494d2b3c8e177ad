using Amazon.DynamoDBv2;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Host.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Host.Operator;

/// <summary>The clients an operator command reads with, configured exactly as the worker's: <c>Aws:*</c> from
/// <c>appsettings.json</c> and the environment, then <c>AWS_ENDPOINT_URL_*</c>, <c>AWS_REGION</c> and the standard
/// credential chain.</summary>
internal sealed class OperatorAws : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private OperatorAws(ServiceProvider services, IConfiguration configuration)
    {
        _services = services;
        Configuration = configuration;
    }

    /// <summary>The host's configuration (file and environment), for defaults such as <c>Bridge:Checkpoints:TableName</c>.</summary>
    public IConfiguration Configuration { get; }

    public IAmazonDynamoDB DynamoDb => _services.GetRequiredService<IAmazonDynamoDB>();

    public IDynamoDbStreamsClient Streams => _services.GetRequiredService<IDynamoDbStreamsClient>();

    public IKinesisClient Kinesis => _services.GetRequiredService<IKinesisClient>();

    public static OperatorAws Create()
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();

        // No logging providers: a command's output is its answer, and wire-level retries are not part of it.
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(TimeProvider.System)
            .AddLogging()
            .AddAwsClientOptions()
            .AddAwsClients();
        return new OperatorAws(services.BuildServiceProvider(), configuration);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
