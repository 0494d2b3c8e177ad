using Amazon.Runtime;
using Bridge.Aws.CloudWatch;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Aws.Protocol;

/// <summary>Builds the wire clients over one shared, pooled <see cref="HttpClient"/>.</summary>
/// <remarks>
/// Endpoints and region are resolved once here (options, then the standard environment variables, then the profile).
/// Credentials default to the SDK's default chain, resolved on first use and refreshed by the SDK as they expire;
/// pass explicit ones for emulators so tests do not depend on the environment.
/// The factory owns the <see cref="HttpClient"/> and, unless one was passed in, its handler: dispose it last.
/// </remarks>
public sealed class AwsClientFactory : IDisposable
{
    private readonly AwsClientOptions _options;
    private readonly AWSCredentials? _credentials;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Backoff _backoff;
    private readonly Func<string, string?> _environment;

    /// <param name="credentials">Null for the default chain (environment, profile, web identity, SSO, container, instance).</param>
    /// <param name="handler">Null for <see cref="CreateDefaultHandler"/>; a passed handler is not disposed by the factory.</param>
    /// <param name="jitter">Source of [0,1) values for backoff jitter; null for <see cref="Random.Shared"/>.</param>
    public AwsClientFactory(
        AwsClientOptions options,
        AWSCredentials? credentials = null,
        HttpMessageHandler? handler = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        Func<double>? jitter = null)
        : this(options, credentials, handler, timeProvider, loggerFactory, jitter, AwsEndpoint.ProcessEnvironment)
    {
    }

    internal AwsClientFactory(
        AwsClientOptions options,
        AWSCredentials? credentials,
        HttpMessageHandler? handler,
        TimeProvider? timeProvider,
        ILoggerFactory? loggerFactory,
        Func<double>? jitter,
        Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new AwsConfigurationException("Invalid AwsClientOptions: " + string.Join(" ", errors));
        }

        _options = options;
        _credentials = credentials;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Bridge.Aws");
        _backoff = new Backoff(options.BaseDelay, options.MaxDelay, jitter ?? Backoff.SharedRandom);
        _environment = environment;
        // Attempts are timed by the retry policy, not by HttpClient, so that a slow attempt is retried rather than fatal.
        _http = handler is null
            ? new HttpClient(CreateDefaultHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan }
            : new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>A handler that pools connections generously and recycles them so DNS changes are seen.</summary>
    public static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        MaxConnectionsPerServer = 256,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    };

    public DynamoDbStreamsClient CreateDynamoDbStreamsClient() => new(Transport(AwsService.DynamoDbStreams));

    public KinesisClient CreateKinesisClient() => new(Transport(AwsService.Kinesis), _options);

    public CloudWatchClient CreateCloudWatchClient() => new(Transport(AwsService.CloudWatch));

    /// <summary>The endpoint a client of <paramref name="serviceKey"/> (<c>dynamodb</c>, <c>dynamodbstreams</c>, <c>kinesis</c>,
    /// <c>cloudwatch</c>) would call.</summary>
    public Uri EndpointOf(string serviceKey) =>
        AwsEndpoint.Resolve(_options, AwsService.ByConfigKey(serviceKey) ?? throw new ArgumentException($"Unknown service '{serviceKey}'.", nameof(serviceKey)), _environment).Url;

    /// <summary>The region the clients sign for (options, then <c>AWS_REGION</c>/<c>AWS_DEFAULT_REGION</c>, then the profile).</summary>
    public string Region => AwsEndpoint.ResolveRegion(_options, _environment);

    public void Dispose() => _http.Dispose();

    private AwsJsonTransport Transport(AwsService service)
    {
        var endpoint = AwsEndpoint.Resolve(_options, service, _environment);
        var signer = new RequestSigner(_credentials, endpoint.Region, service.SigningName, _time);
        var retry = new RetryPolicy(_options.MaxAttempts, _options.AttemptTimeout, _backoff, _time, _logger);
        return new AwsJsonTransport(_http, service, endpoint, signer, retry);
    }
}
