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
    /// <summary>Key of an optional <see cref="TextWriter"/> for EMF lines (stdout when none is registered); for in-process tests.</summary>
    public const string EmfOutputKey = "Bridge.Emf";

    /// <summary>The exporters named by <c>Bridge:Metrics:Exporter</c>, over the bridge's one Meter.</summary>
    /// <remarks>The exporters are chosen from configuration when the services are registered; the values are
    /// validated with the rest of <see cref="BridgeOptions"/> before anything starts.</remarks>
    public static IServiceCollection AddBridgeTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<BridgeOptions>, TelemetryOptionsValidator>();
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

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithMetrics(metrics =>
        {
            metrics.AddMeter(BridgeMetrics.MeterName);
            if (exporters.HasFlag(MetricsExporters.Prometheus))
            {
                metrics.AddPrometheusHttpListener(listener =>
                {
                    listener.Host = options.PrometheusHost;
                    listener.Port = options.PrometheusPort;
                });
            }

            // Delta temporality: each EMF line / PutMetricData call carries what happened in its interval.
            if (exporters.HasFlag(MetricsExporters.Emf))
            {
                metrics.AddReader(sp => new PeriodicExportingMetricReader(
                    new EmfExporter(options.Namespace, options.ServiceName, sp.GetKeyedService<TextWriter>(EmfOutputKey) ?? Console.Out, sp.GetRequiredService<TimeProvider>()),
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

/// <summary>Checks <c>Bridge:Metrics</c> and <c>Bridge:Health</c>, and reports every problem at once.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<BridgeOptions>
{
    public ValidateOptionsResult Validate(string? name, BridgeOptions options)
    {
        var problems = new List<string>();
        var metrics = options.Metrics;
        var exporters = MetricsExporterNames.Parse(metrics.Exporter, out var unknown);
        if (unknown.Count > 0)
        {
            problems.Add($"Bridge:Metrics:Exporter: unknown '{string.Join("', '", unknown)}'; use None, Prometheus, Emf, CloudWatch or Otlp, comma-separated.");
        }

        if (metrics.PrometheusPort is < 1 or > 65535)
        {
            problems.Add("Bridge:Metrics:PrometheusPort must be 1..65535.");
        }

        if (metrics.EmfInterval < TimeSpan.FromSeconds(1))
        {
            problems.Add("Bridge:Metrics:EmfInterval must be at least 00:00:01.");
        }

        if ((exporters & (MetricsExporters.Emf | MetricsExporters.CloudWatch)) != 0 && (string.IsNullOrWhiteSpace(metrics.ServiceName) || string.IsNullOrWhiteSpace(metrics.Namespace)))
        {
            problems.Add("Bridge:Metrics:ServiceName and Bridge:Metrics:Namespace are required for the Emf and CloudWatch exporters.");
        }

        if (options.Health.Port is < 0 or > 65535)
        {
            problems.Add("Bridge:Health:Port must be 0..65535 (0 turns the endpoint off).");
        }

        if (options.Health.StallTimeout <= TimeSpan.Zero)
        {
            problems.Add("Bridge:Health:StallTimeout must be a positive duration (e.g. 00:02:00).");
        }

        if (exporters.HasFlag(MetricsExporters.Prometheus) && options.Health.Port == metrics.PrometheusPort)
        {
            problems.Add($"Bridge:Health:Port and Bridge:Metrics:PrometheusPort are both {metrics.PrometheusPort}; give them different ports.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
