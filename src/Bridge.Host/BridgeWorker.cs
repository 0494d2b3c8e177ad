using Amazon.DynamoDBv2;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.Forwarding;
using Bridge.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Host;

/// <summary>The host's one worker: checks what the configuration names, then runs the engine until shutdown.</summary>
/// <remarks>
/// A configuration problem found here (a missing table, a disabled stream, a missing target) ends the
/// process with exit code 2; any other fatal error with exit code 1, after the engine drained and
/// checkpointed what it could. The orchestrator restarts it, and the checkpoints make that safe.
/// </remarks>
internal sealed partial class BridgeWorker(
    IOptions<BridgeOptions> options,
    SourceResolver resolver,
    IDynamoDbStreamsClient streams,
    IKinesisClient kinesis,
    ILeaseStore store,
    IAmazonDynamoDB dynamoDb,
    IBackfillStore backfillStore,
    TimeProvider time,
    ILoggerFactory loggers,
    BridgeMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<BridgeWorker> logger) : BackgroundService
{
    public const int ConfigurationErrorExitCode = 2;
    public const int FatalErrorExitCode = 1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var sources = await resolver.ResolveAsync(options.Value, stoppingToken).ConfigureAwait(false);
            var engine = new BridgeEngine(options.Value, sources, streams, kinesis, store, time, loggers, metrics, new BackfillServices(dynamoDb, backfillStore));
            await engine.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before start-up finished: nothing was read, nothing to drain.
        }
        catch (BridgeConfigurationException ex)
        {
            LogConfigurationError(ex.Message);
            Environment.ExitCode = ConfigurationErrorExitCode;
            lifetime.StopApplication();
        }
        catch (Exception ex)
        {
            LogFatal(ex.GetBaseException().Message, ex);
            Environment.ExitCode = FatalErrorExitCode;
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Critical, Message = "{Problems}")]
    private partial void LogConfigurationError(string problems);

    [LoggerMessage(EventId = 11, Level = LogLevel.Critical, Message = "The bridge stopped on a fatal error: {Cause}")]
    private partial void LogFatal(string cause, Exception exception);
}
