using Bridge.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Bridge.Host.Telemetry;

/// <summary>The Prometheus scrape endpoint (<c>/metrics</c> on <c>PrometheusHost:PrometheusPort</c>), over a meter provider of its own.</summary>
/// <remarks>
/// The exporter starts its HttpListener when its meter provider is built and throws if it cannot. Inside the host's
/// shared provider that failure would take every exporter and the host with it; in a provider of its own it is caught
/// here (see <see cref="SharedPort"/>): a port already in use is a warning, any other reason stops the host with exit code 1.
/// </remarks>
internal sealed partial class PrometheusEndpoint(MetricsOptions options, TimeProvider time, ILogger<PrometheusEndpoint> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var prefix = $"http://{options.PrometheusHost}:{options.PrometheusPort}/metrics";
        using var provider = await SharedPort.ClaimAsync(() => Start(prefix), () => LogPortInUse(prefix), time, stoppingToken).ConfigureAwait(false);
        if (provider is null)
        {
            return;
        }

        LogListening(prefix);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = stoppingToken.Register(() => stopped.TrySetResult()).ConfigureAwait(false);
        await stopped.Task.ConfigureAwait(false);
    }

    private MeterProvider Start(string prefix)
    {
        try
        {
            return Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(resource => resource.AddService(options.ServiceName))
                .AddMeter(BridgeMetrics.MeterName)
                .AddPrometheusHttpListener(listener =>
                {
                    listener.Host = options.PrometheusHost;
                    listener.Port = options.PrometheusPort;
                })
                .Build();
        }
        catch (InvalidOperationException ex) when (!SharedPort.IsInUse(ex))
        {
            throw new InvalidOperationException($"The Prometheus endpoint cannot listen on {prefix} (Bridge:Metrics:PrometheusHost, Bridge:Metrics:PrometheusPort): {ex.GetBaseException().Message}", ex);
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Prometheus endpoint listening on {Prefix}")]
    private partial void LogListening(string prefix);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Prometheus endpoint not started: the port of {Prefix} is in use by another process (another worker on this machine?); this worker goes on without it and tries again every 5 s. Set Bridge:Metrics:PrometheusPort per worker to scrape each")]
    private partial void LogPortInUse(string prefix);
}
