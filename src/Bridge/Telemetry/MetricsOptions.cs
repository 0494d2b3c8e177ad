using System.ComponentModel.DataAnnotations;

namespace Bridge.Telemetry;

/// <summary>Where metrics go, section <c>Bridge:Metrics</c>. Validated at start-up by the host.</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// Comma-separated exporters: <c>None</c> (default), <c>Prometheus</c>, <c>Emf</c> (CloudWatch Embedded Metric Format
    /// lines on stdout), <c>CloudWatch</c> (batched <c>PutMetricData</c>), <c>Otlp</c> (endpoint from the standard
    /// <c>OTEL_EXPORTER_OTLP_*</c> variables). Combinable: <c>Prometheus,Emf</c>.
    /// </summary>
    public string Exporter { get; set; } = "None";

    /// <summary>Port of the Prometheus scrape endpoint (<c>/metrics</c>); ignored unless <see cref="Exporter"/> has <c>Prometheus</c>.</summary>
    [Range(1, 65535)]
    public int PrometheusPort { get; set; } = 9464;

    /// <summary>Host the Prometheus endpoint binds: <c>127.0.0.1</c> by default; <c>+</c> (all interfaces) for a scraper outside the container.</summary>
    public string PrometheusHost { get; set; } = "127.0.0.1";

    /// <summary>How often one EMF line (or one PutMetricData batch) is written; CloudWatch's finest standard resolution is 60 s.</summary>
    public TimeSpan EmfInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Value of the <c>ServiceName</c> dimension on every CloudWatch metric; the CDK alarms filter on it.</summary>
    public string ServiceName { get; set; } = "dynamodb-kinesis-bridge";

    /// <summary>CloudWatch namespace of the EMF and PutMetricData metrics.</summary>
    public string Namespace { get; set; } = "DynamoDbKinesisBridge";
}

/// <summary>The health endpoint, section <c>Bridge:Health</c>.</summary>
public sealed class HealthOptions
{
    /// <summary>Port of <c>/health</c> and <c>/ready</c>; 0 turns the endpoint off. <c>--health-check</c> calls it on 127.0.0.1.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8080;

    /// <summary>Host the endpoint binds: <c>127.0.0.1</c> by default (the ECS health check runs inside the container).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>A held shard with no successful poll for this long makes the process unhealthy.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
