using Bridge.Aws.CloudWatch;
using Bridge.Aws.Protocol;
using Bridge.Forwarding;
using Bridge.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Bridge.Host.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>The exporters named by <c>Bridge:Metrics:Exporter</c>, over the bridge's one Meter.</summary>
    /// <remarks>The exporters are chosen from configuration when the services are registered; the values are
    /// validated with the rest of <see cref="BridgeOptions"/> (<see cref="Configuration.BridgeOptionsValidator"/>) before anything starts.</remarks>
    public static IServiceCollection AddBridgeTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection($"{BridgeOptions.SectionName}:{nameof(BridgeOptions.Metrics)}").Get<MetricsOptions>() ?? new MetricsOptions();
        var exporters = MetricsExporterNames.Parse(options.Exporter, out _);
        if (exporters == MetricsExporters.None)
        {
            return services;
        }

        var intervalMs = (int)Math.Clamp(options.EmfInterval.TotalMilliseconds, 1, int.MaxValue);
        if (exporters.HasFlag(MetricsExporters.CloudWatch))
        {
            services.TryAddSingleton<CloudWatchQueue>();
            services.TryAddSingleton<ICloudWatchClient>(sp => sp.GetRequiredService<AwsClientFactory>().CreateCloudWatchClient());
            services.AddHostedService(sp => new CloudWatchPublisher(
                sp.GetRequiredService<CloudWatchQueue>(),
                sp.GetRequiredService<ICloudWatchClient>(),
                options.Namespace,
                options.ServiceName,
                sp.GetRequiredService<ILogger<CloudWatchPublisher>>()));
        }

        // Its own provider, so that a port in use costs only the endpoint (see PrometheusEndpoint).
        if (exporters.HasFlag(MetricsExporters.Prometheus))
        {
            services.AddHostedService(sp => new PrometheusEndpoint(options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PrometheusEndpoint>>()));
        }

        if (exporters == MetricsExporters.Prometheus)
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithMetrics(metrics =>
        {
            metrics.AddMeter(BridgeMetrics.MeterName);
            // Delta temporality: each EMF line / PutMetricData call carries what happened in its interval.
            if (exporters.HasFlag(MetricsExporters.Emf))
            {
                metrics.AddReader(sp => new PeriodicExportingMetricReader(
                    new EmfExporter(options.Namespace, options.ServiceName, Console.Out, sp.GetRequiredService<TimeProvider>()),
                    intervalMs)
                {
                    TemporalityPreference = MetricReaderTemporalityPreference.Delta,
                });
            }

            if (exporters.HasFlag(MetricsExporters.CloudWatch))
            {
                metrics.AddReader(sp => new PeriodicExportingMetricReader(
                    new CloudWatchExporter(sp.GetRequiredService<CloudWatchQueue>(), sp.GetRequiredService<TimeProvider>()),
                    intervalMs)
                {
                    TemporalityPreference = MetricReaderTemporalityPreference.Delta,
                });
            }

            if (exporters.HasFlag(MetricsExporters.Otlp))
            {
                metrics.AddOtlpExporter();
            }
        });
        return services;
    }
}
