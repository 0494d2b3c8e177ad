using Amazon;
using Amazon.DynamoDBv2;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.Forwarding;
using Bridge.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Host.Configuration;

internal static class ServiceCollectionExtensions
{
    /// <summary>Binds <c>Bridge</c> and <c>Aws</c>, refusing unknown keys, and validates both before anything starts.</summary>
    public static IServiceCollection AddBridgeOptions(this IServiceCollection services)
    {
        services.AddOptions<BridgeOptions>()
            .BindConfiguration(BridgeOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BridgeOptions>, BridgeOptionsValidator>();
        return services.AddAwsClientOptions();
    }

    /// <summary>Binds <c>Aws</c> (endpoints, region, retries), refusing unknown keys: the worker and the operator commands
    /// reach AWS the same way.</summary>
    public static IServiceCollection AddAwsClientOptions(this IServiceCollection services)
    {
        services.AddOptions<AwsClientOptions>()
            .BindConfiguration("Aws", binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        return services;
    }

    /// <summary>The wire clients (DynamoDB Streams, Kinesis) over one pooled HttpClient, and the SDK's DynamoDB client for checkpoints.</summary>
    public static IServiceCollection AddAwsClients(this IServiceCollection services)
    {
        services.AddSingleton(sp => new AwsClientFactory(
            sp.GetRequiredService<IOptions<AwsClientOptions>>().Value,
            credentials: null,
            handler: null,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IDynamoDbStreamsClient>(sp => sp.GetRequiredService<AwsClientFactory>().CreateDynamoDbStreamsClient());
        services.AddSingleton<IKinesisClient>(sp => sp.GetRequiredService<AwsClientFactory>().CreateKinesisClient());
        services.AddSingleton<IAmazonDynamoDB>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AwsClientOptions>>().Value;
            var factory = sp.GetRequiredService<AwsClientFactory>();
            var config = new AmazonDynamoDBConfig();

            // Same endpoint as the wire clients would pick (options, then AWS_ENDPOINT_URL_DYNAMODB, then the region's).
            config.ServiceURL = factory.EndpointOf("dynamodb").ToString();
            config.AuthenticationRegion = factory.Region;
            return new AmazonDynamoDBClient(config);
        });
        return services;
    }

    /// <summary>The forwarding worker, over <see cref="AddBridgeStores"/>.</summary>
    public static IServiceCollection AddBridgeEngine(this IServiceCollection services)
    {
        services.AddBridgeStores();
        services.AddHostedService<BridgeWorker>();
        return services;
    }

    /// <summary>What the worker and the <c>backfill</c> command share: metrics, the checkpoint table's leases and backfill runs, the start-up checks.</summary>
    public static IServiceCollection AddBridgeStores(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<BridgeMetrics>();
        services.AddSingleton<ILeaseStore>(sp => new DynamoDbLeaseStore(
            sp.GetRequiredService<IAmazonDynamoDB>(),
            sp.GetRequiredService<IOptions<BridgeOptions>>().Value.Checkpoints.TableName,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IBackfillStore>(sp => new DynamoDbBackfillStore(
            sp.GetRequiredService<IAmazonDynamoDB>(),
            sp.GetRequiredService<IOptions<BridgeOptions>>().Value.Checkpoints.TableName,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SourceResolver>();
        return services;
    }
}
