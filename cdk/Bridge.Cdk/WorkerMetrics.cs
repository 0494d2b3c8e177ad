using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;

namespace Bridge.Cdk;

/// <summary>The worker's EMF metrics for one bridge, ready for alarms and graphs.</summary>
internal sealed class WorkerMetrics(string serviceName)
{
    public Metric SourceLagMaximum(Duration period) => Of(BridgeMetricNames.SourceLagMs, Stats.MAXIMUM, period);

    public Metric CheckpointAgeMaximum(Duration period) => Of(BridgeMetricNames.CheckpointAgeMs, Stats.MAXIMUM, period);

    public Metric TimeSinceLastReadMaximum(Duration period) => Of(BridgeMetricNames.TimeSinceLastReadMs, Stats.MAXIMUM, period);

    public Metric ForwardLatencyMaximum(Duration period) => Of(BridgeMetricNames.ForwardLatencyMaxMs, Stats.MAXIMUM, period);

    public Metric ForwardLatencyAverage(Duration period) => Of(BridgeMetricNames.ForwardLatencyAvgMs, Stats.AVERAGE, period);

    public Metric Read(Duration period) => Of(BridgeMetricNames.RecordsRead, Stats.SUM, period);

    public Metric SourceReadErrors(Duration period) => Of(BridgeMetricNames.SourceReadErrors, Stats.SUM, period);

    public Metric SourceTrimmed(Duration period) => Of(BridgeMetricNames.SourceTrimmed, Stats.SUM, period);

    public Metric InFlightRecordsMaximum(Duration period) => Of(BridgeMetricNames.InFlightRecords, Stats.MAXIMUM, period);

    public Metric Forwarded(Duration period) => Of(BridgeMetricNames.RecordsForwarded, Stats.SUM, period);

    public Metric Undeliverable(Duration period) => Of(BridgeMetricNames.RecordsUndeliverable, Stats.SUM, period);

    public Metric PutRecordsFailed(Duration period) => Of(BridgeMetricNames.PutRecordsFailed, Stats.SUM, period);

    public Metric PutRecordsThrottled(Duration period) => Of(BridgeMetricNames.PutRecordsThrottled, Stats.SUM, period);

    public Metric WatermarkDelayMaximum(Duration period) => Of(BridgeMetricNames.WatermarkDelayMs, Stats.MAXIMUM, period);

    public Metric LateRecords(Duration period) => Of(BridgeMetricNames.LateRecords, Stats.SUM, period);

    public Metric BackfillItemsScanned(Duration period) => Of(BridgeMetricNames.BackfillItemsScanned, Stats.SUM, period);

    public Metric BackfillProgressMaximum(Duration period) => Of(BridgeMetricNames.BackfillProgressPercent, Stats.MAXIMUM, period);

    /// <summary>Percent of records that failed (undeliverable or rejected by PutRecords); 0 when idle.</summary>
    public MathExpression ErrorRatePercent(Duration period) =>
        new(new MathExpressionProps
        {
            // FILL turns "no data" (an idle bridge emits nothing) into 0, and IF avoids 0/0.
            Expression = "IF((f + u + p) > 0, 100 * (u + p) / (f + u + p), 0)",
            UsingMetrics = new Dictionary<string, IMetric>
            {
                ["f"] = new MathExpression(new MathExpressionProps { Expression = "FILL(forwarded, 0)", UsingMetrics = new Dictionary<string, IMetric> { ["forwarded"] = Forwarded(period) }, Period = period }),
                ["u"] = new MathExpression(new MathExpressionProps { Expression = "FILL(undeliverable, 0)", UsingMetrics = new Dictionary<string, IMetric> { ["undeliverable"] = Undeliverable(period) }, Period = period }),
                ["p"] = new MathExpression(new MathExpressionProps { Expression = "FILL(failed, 0)", UsingMetrics = new Dictionary<string, IMetric> { ["failed"] = PutRecordsFailed(period) }, Period = period }),
            },
            Label = "Error rate (%)",
            Period = period,
        });

    private Metric Of(string name, string statistic, Duration period) =>
        new(new MetricProps
        {
            Namespace = BridgeMetricNames.Namespace,
            MetricName = name,
            DimensionsMap = new Dictionary<string, string> { [BridgeMetricNames.ServiceDimension] = serviceName },
            Statistic = statistic,
            Period = period,
        });
}
