using Bridge.Aws.Protocol;

namespace Bridge.Aws.CloudWatch;

/// <summary>CloudWatch <c>PutMetricData</c> over JSON 1.0. Build it with <see cref="AwsClientFactory"/>.</summary>
public sealed class CloudWatchClient : ICloudWatchClient
{
    public const int MaxDatums = 1000;
    public const int MaxDimensions = 30;
    public const int MaxValuesPerDatum = 150;
    private const int MaxNameLength = 255;

    private readonly AwsJsonTransport _transport;

    internal CloudWatchClient(AwsJsonTransport transport) => _transport = transport;

    public Task PutMetricDataAsync(string metricNamespace, IReadOnlyList<MetricDatum> data, CancellationToken cancellationToken)
    {
        CheckName(metricNamespace, "Namespace");
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count is 0 or > MaxDatums)
        {
            throw new AwsRequestValidationException($"PutMetricData takes 1..{MaxDatums} datums (was {data.Count}).");
        }

        var datums = new List<MetricDatumDto>(data.Count);
        foreach (var datum in data)
        {
            Check(datum);
            datums.Add(new MetricDatumDto(
                datum.MetricName,
                datum.Dimensions?.Select(d => new DimensionDto(d.Name, d.Value)).ToList(),
                datum.Timestamp.ToUnixTimeMilliseconds() / 1000.0,
                datum.Value,
                datum.Values,
                datum.Counts,
                datum.Unit));
        }

        return _transport.SendAsync("PutMetricData", new PutMetricDataRequestDto(metricNamespace, datums), CloudWatchJsonContext.Default.PutMetricDataRequestDto, cancellationToken);
    }

    private static void Check(MetricDatum datum)
    {
        ArgumentNullException.ThrowIfNull(datum);
        CheckName(datum.MetricName, "MetricName");
        RequestRules.NotEmpty(datum.Unit, $"Unit of {datum.MetricName}");
        if (datum.Dimensions is { Count: > MaxDimensions })
        {
            throw new AwsRequestValidationException($"{datum.MetricName}: at most {MaxDimensions} dimensions (had {datum.Dimensions.Count}).");
        }

        if (datum.Values is { } values)
        {
            if (values.Count > MaxValuesPerDatum)
            {
                throw new AwsRequestValidationException($"{datum.MetricName}: at most {MaxValuesPerDatum} values (had {values.Count}).");
            }

            if (datum.Counts is { } counts && counts.Count != values.Count)
            {
                throw new AwsRequestValidationException($"{datum.MetricName}: Counts must pair with Values ({counts.Count} vs {values.Count}).");
            }
        }

        // JSON has no NaN or infinity, and the service rejects them anyway.
        if (datum.Value is { } value && !double.IsFinite(value))
        {
            throw new AwsRequestValidationException($"{datum.MetricName}: the value must be finite (was {value}).");
        }
    }

    private static void CheckName(string? name, string what)
    {
        RequestRules.NotEmpty(name, what);
        if (name!.Length > MaxNameLength)
        {
            throw new AwsRequestValidationException($"{what} must have at most {MaxNameLength} characters (had {name.Length}).");
        }
    }
}
