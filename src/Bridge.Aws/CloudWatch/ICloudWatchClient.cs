namespace Bridge.Aws.CloudWatch;

/// <summary>CloudWatch <c>PutMetricData</c> over JSON 1.0 (target <c>GraniteServiceVersion20100801</c>).</summary>
public interface ICloudWatchClient
{
    /// <summary>Sends up to 1000 datums in one request; validated before sending.</summary>
    Task PutMetricDataAsync(string metricNamespace, IReadOnlyList<MetricDatum> data, CancellationToken cancellationToken);
}

public sealed record MetricDimension(string Name, string Value);

/// <summary>A value (or, with <see cref="Values"/>/<see cref="Counts"/>, a distribution) of one metric.</summary>
public sealed record MetricDatum(
    string MetricName,
    string Unit,
    DateTimeOffset Timestamp,
    double? Value = null,
    IReadOnlyList<double>? Values = null,
    IReadOnlyList<double>? Counts = null,
    IReadOnlyList<MetricDimension>? Dimensions = null);
