namespace Bridge.Host.Telemetry;

/// <summary>The exporters <c>Bridge:Metrics:Exporter</c> can name, combinable (<c>Prometheus,Emf</c>).</summary>
[Flags]
internal enum MetricsExporters
{
    None = 0,

    /// <summary>A scrape endpoint (<c>/metrics</c>) on <c>PrometheusHost:PrometheusPort</c>.</summary>
    Prometheus = 1,

    /// <summary>CloudWatch Embedded Metric Format: one JSON line on stdout per interval; the default in ECS.</summary>
    Emf = 2,

    /// <summary>The same values as <see cref="Emf"/>, sent with batched <c>PutMetricData</c> calls.</summary>
    CloudWatch = 4,

    /// <summary>OTLP to the collector named by the standard <c>OTEL_EXPORTER_OTLP_*</c> variables.</summary>
    Otlp = 8,
}

internal static class MetricsExporterNames
{
    /// <summary>Parses the comma-separated list; unknown names are returned in <paramref name="unknown"/>.</summary>
    public static MetricsExporters Parse(string? value, out List<string> unknown)
    {
        unknown = [];
        var result = MetricsExporters.None;
        foreach (var name in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Enum.TryParse<MetricsExporters>(name, ignoreCase: true, out var one) && Enum.IsDefined(one))
            {
                result |= one;
            }
            else
            {
                unknown.Add(name);
            }
        }

        return result;
    }
}
