using Amazon.DynamoDBv2;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.Forwarding;
using Bridge.Host.Configuration;
using Bridge.Host.Telemetry;
using Bridge.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Host.Backfill;

/// <summary><c>Bridge.Host backfill (--source N | --table NAME) [--run ID]</c>: scans one source table into the configured target,
/// in the stream records' shape and with their key rules, while the bridge keeps forwarding (it is a separate process with the
/// same configuration and sink code).</summary>
/// <remarks>
/// The run is recorded in the checkpoint table under its id: run the same command again (after a crash, a stop, or on
/// another machine at the same time) and it resumes or joins; once finished, the same id does nothing. A new consumer
/// gets a new id. Exit codes: 0 finished (or already finished, or stopped on request after draining), 2 a configuration
/// problem, 1 any other failure, each with one line saying why.
/// </remarks>
internal static partial class BackfillCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = BackfillArguments.Parse(args, out var problem);
        if (arguments is null)
        {
            await Console.Error.WriteLineAsync($"Invalid arguments: {problem}").ConfigureAwait(false);
            return BridgeWorker.ConfigurationErrorExitCode;
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(arguments.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddBridgeOptions();
        builder.Services.AddAwsClients();
        builder.Services.AddBridgeStores();
        builder.Services.AddBridgeTelemetry(builder.Configuration);
        try
        {
            using var host = builder.Build();
            await host.StartAsync().ConfigureAwait(false);
            var exitCode = await RunAsync(host.Services, arguments, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping).ConfigureAwait(false);
            await host.StopAsync().ConfigureAwait(false);
            return exitCode;
        }
        catch (Exception ex) when (ex is OptionsValidationException or AwsConfigurationException or InvalidOperationException { Source: "Microsoft.Extensions.Configuration.Binder" })
        {
            await Console.Error.WriteLineAsync($"Invalid configuration: {ex.Message}").ConfigureAwait(false);
            return BridgeWorker.ConfigurationErrorExitCode;
        }
    }

    private static async Task<int> RunAsync(IServiceProvider services, BackfillArguments arguments, CancellationToken stopping)
    {
        var options = services.GetRequiredService<IOptions<BridgeOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger(typeof(BackfillCommand));
        var metrics = services.GetRequiredService<BridgeMetrics>();
        if (arguments.FindSource(options, out var problem) is not { } index)
        {
            await Console.Error.WriteLineAsync($"Invalid arguments: {problem}").ConfigureAwait(false);
            return BridgeWorker.ConfigurationErrorExitCode;
        }

        try
        {
            // The same checks as the worker's; a source other than this one that fails them is the worker's problem, not this scan's.
            var resolved = await services.GetRequiredService<SourceResolver>().ResolveAsync(options, stopping).ConfigureAwait(false);
            var source = resolved[index];
            await services.GetRequiredService<ILeaseStore>().EnsureCreatedAsync(stopping).ConfigureAwait(false);
            if (options.Ordering.IsMerge && source.OrderValue.Path is not null)
            {
                return await WatchAsync(new BackfillWatch(services.GetRequiredService<IBackfillStore>(), options, time, logger), source, arguments.RunId, stopping).ConfigureAwait(false);
            }

            await using var sinks = await TargetSinks.StartAsync(options, services.GetRequiredService<IKinesisClient>(), time, loggers, metrics, stopping).ConfigureAwait(false);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            using var drainDeadline = new CancellationTokenSource();
            var drainBudget = options.ShutdownTimeout - BridgeEngine.FinalCheckpointShare;
            await using var onStop = stop.Token.Register(() => drainDeadline.CancelAfter(drainBudget > TimeSpan.Zero ? drainBudget : TimeSpan.Zero)).ConfigureAwait(false);
            _ = sinks.AnyFailure.ContinueWith(_ => stop.Cancel(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

            var backfill = new TableBackfill(source, services.GetRequiredService<IAmazonDynamoDB>(), services.GetRequiredService<IBackfillStore>(), sinks.Target, sinks.DeadLetter, options, time, loggers, metrics);
            using var stopBar = new CancellationTokenSource();
            var bar = BackfillProgressBar.IsWanted ? BackfillProgressBar.RunAsync(() => backfill.Progress, time, stopBar.Token) : Task.CompletedTask;
            BackfillRun run;
            try
            {
                run = await backfill.RunAsync(arguments.RunId, stop.Token, drainDeadline.Token).ConfigureAwait(false);
            }
            finally
            {
                await stopBar.CancelAsync().ConfigureAwait(false);
                await bar.ConfigureAwait(false);
            }

            await sinks.ThrowIfFailedAsync().ConfigureAwait(false);
            if (run.IsFinished)
            {
                await Console.Out.WriteLineAsync($"Backfill {run} finished at {run.FinishedAt:O}.").ConfigureAwait(false);
            }
            else
            {
                await Console.Out.WriteLineAsync($"Backfill {run} stopped; its segments are checkpointed: run the same command to resume.").ConfigureAwait(false);
            }

            return 0;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped before the scan began: nothing to drain.
            return 0;
        }
        catch (BridgeConfigurationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return BridgeWorker.ConfigurationErrorExitCode;
        }
        catch (AwsConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"Invalid configuration: {ex.Message}").ConfigureAwait(false);
            return BridgeWorker.ConfigurationErrorExitCode;
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex);
            await Console.Error.WriteLineAsync($"Backfill failed: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return BridgeWorker.FatalErrorExitCode;
        }
    }

    /// <summary>Merge mode with <c>OrderBy</c>: the run is the merge group's worker's to scan; this command records and watches it.</summary>
    private static async Task<int> WatchAsync(BackfillWatch watch, ResolvedSource source, string runId, CancellationToken stopping)
    {
        var run = await watch.RunAsync(source, runId, stopping).ConfigureAwait(false);
        await Console.Out.WriteLineAsync(run.IsFinished
            ? $"Backfill {run} finished at {run.FinishedAt:O}."
            : $"Stopped watching backfill {run}: the worker that holds the merge group goes on scanning it; run the same command to watch it again.").ConfigureAwait(false);
        return 0;
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Critical, Message = "The backfill stopped on a fatal error")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
