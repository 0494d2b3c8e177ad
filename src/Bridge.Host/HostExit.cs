using Bridge.Aws.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Host;

/// <summary>Runs the host and turns how it stopped into the process's exit code: 0 only for a requested stop
/// (SIGTERM, Ctrl+C) after the drain; any failure non-zero, with one Critical line naming the cause.</summary>
/// <remarks>
/// <para>The generic host stops when a background service faults (<c>BackgroundServiceExceptionBehavior.StopHost</c>),
/// but <c>RunAsync</c> then returns normally: without this the process exits 0, and a supervisor takes the failure for
/// an intended stop and may not restart it. The host's own lines about such a stop (category
/// <c>Microsoft.Extensions.Hosting.Internal.Host</c>, an Error and a Critical with the same stack) are filtered out in
/// appsettings.json, so the line logged here is the only one.</para>
/// <para>Codes: <see cref="Stopped"/> 0, <see cref="Fatal"/> 1, <see cref="ConfigurationError"/> 2.</para>
/// </remarks>
internal static partial class HostExit
{
    /// <summary>Stopped on request and drained.</summary>
    public const int Stopped = 0;

    /// <summary>A fatal error: a background service faulted, a non-retryable AWS error, a listener that could not start.</summary>
    public const int Fatal = BridgeWorker.FatalErrorExitCode;

    /// <summary>The configuration is wrong (a key, or what it names); restarting will not help.</summary>
    public const int ConfigurationError = BridgeWorker.ConfigurationErrorExitCode;

    /// <summary>Options that failed validation or binding at start-up: Program reports them (exit 2) before anything ran.</summary>
    public static bool IsConfigurationError(Exception ex) =>
        ex is OptionsValidationException or InvalidOperationException { Source: "Microsoft.Extensions.Configuration.Binder" };

    public static async Task<int> RunAsync(IHost host)
    {
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HostExit).FullName!);
        try
        {
            // Not RunAsync: it disposes the host, and the services and the logger are still needed here.
            await host.StartAsync().ConfigureAwait(false);
            await host.WaitForShutdownAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex.GetBaseException() is AwsConfigurationException aws)
        {
            // Found when the first AWS client is built, after the options checks: a configuration error all the same.
            LogAwsConfigurationInvalid(logger, aws.Message);
            return ConfigurationError;
        }
        catch (Exception ex) when (!IsConfigurationError(ex))
        {
            LogHostFailed(logger, ex.GetBaseException().Message, ex);
            return Fatal;
        }

        // The worker decides its own code (and logged its line) when it stops the host on an error it recognised.
        if (Environment.ExitCode != Stopped)
        {
            return Environment.ExitCode;
        }

        var faulted = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().FirstOrDefault(s => s.ExecuteTask is { IsFaulted: true });
        if (faulted?.ExecuteTask?.Exception?.GetBaseException() is { } cause)
        {
            LogServiceFailed(logger, faulted.GetType().Name, cause.Message, cause);
            return Fatal;
        }

        return Stopped;
    }

    [LoggerMessage(EventId = 12, Level = LogLevel.Critical, Message = "{Service} failed and stopped the bridge: {Cause}")]
    private static partial void LogServiceFailed(ILogger logger, string service, string cause, Exception exception);

    [LoggerMessage(EventId = 14, Level = LogLevel.Critical, Message = "Invalid AWS configuration: {Cause}")]
    private static partial void LogAwsConfigurationInvalid(ILogger logger, string cause);

    [LoggerMessage(EventId = 13, Level = LogLevel.Critical, Message = "The host failed: {Cause}")]
    private static partial void LogHostFailed(ILogger logger, string cause, Exception exception);
}
