using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.Kinesis;
using Constructs;

namespace Bridge.Cdk;

/// <summary>One page that answers "is the bridge keeping up, and if not, why": lag, throughput, errors, capacity.</summary>
public sealed class BridgeDashboard : Construct
{
    internal BridgeDashboard(
        Construct scope,
        string id,
        WorkerMetrics metrics,
        IStream target,
        FargateService service,
        BridgeAlarms alarms)
        : base(scope, id)
    {
        var period = Duration.Minutes(1);
        Dashboard = new Dashboard(this, "Resource", new DashboardProps
        {
            Widgets =
            [
                [
                    new AlarmStatusWidget(new AlarmStatusWidgetProps { Title = "Alarms", Alarms = alarms.All.ToArray<IAlarm>(), Width = 24, Height = 3 }),
                ],
                [
                    Graph("Source lag and checkpoint age (ms, max)", metrics.SourceLagMaximum(period), metrics.CheckpointAgeMaximum(period)),
                    Graph("Records read / forwarded / undeliverable", metrics.Read(period), metrics.Forwarded(period), metrics.Undeliverable(period)),
                ],
                [
                    Graph("PutRecords throttled / failed", metrics.PutRecordsThrottled(period), metrics.PutRecordsFailed(period)),
                    Graph(
                        "Target stream: incoming records, write throttling",
                        target.MetricIncomingRecords(new MetricOptions { Period = period, Statistic = Stats.SUM }),
                        target.MetricWriteProvisionedThroughputExceeded(new MetricOptions { Period = period, Statistic = Stats.SUM })),
                ],
                [
                    Graph(
                        "Forwarding latency (ms) and time since the last read (ms, max)",
                        metrics.ForwardLatencyAverage(period),
                        metrics.ForwardLatencyMaximum(period),
                        metrics.TimeSinceLastReadMaximum(period)),
                    Graph(
                        "Source read errors, data trimmed at source, records in flight",
                        metrics.SourceReadErrors(period),
                        metrics.SourceTrimmed(period),
                        metrics.InFlightRecordsMaximum(period)),
                ],
                [
                    Graph(
                        "Workers: CPU and memory (%)",
                        service.MetricCpuUtilization(new MetricOptions { Period = period }),
                        service.MetricMemoryUtilization(new MetricOptions { Period = period })),
                    Graph("Error rate (%)", metrics.ErrorRatePercent(Duration.Minutes(5))),
                ],
                [
                    // Empty unless Bridge:Ordering:Mode is Merge, or a backfill runs.
                    Graph("Merge mode: watermark delay (ms, max), late records", metrics.WatermarkDelayMaximum(period), metrics.LateRecords(period)),
                    Graph("Backfill: items scanned, progress (%)", metrics.BackfillItemsScanned(period), metrics.BackfillProgressMaximum(period)),
                ],
            ],
        });
    }

    public Dashboard Dashboard { get; }

    private static GraphWidget Graph(string title, params IMetric[] left) =>
        new(new GraphWidgetProps { Title = title, Left = left, Width = 12, Height = 6 });
}
