namespace Bridge.Aws.CloudWatch;

// Wire shapes of CloudWatch PutMetricData in its JSON 1.0 form; timestamps are epoch seconds.

internal sealed record PutMetricDataRequestDto(string Namespace, List<MetricDatumDto> MetricData);

internal sealed record MetricDatumDto(
    string MetricName,
    List<DimensionDto>? Dimensions,
    double Timestamp,
    double? Value,
    IReadOnlyList<double>? Values,
    IReadOnlyList<double>? Counts,
    string Unit);

internal sealed record DimensionDto(string Name, string Value);
