using Bridge.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Bridge.Host.Telemetry;

/// <summary>One CloudWatch metric value of one interval.</summary>
internal readonly record struct CloudWatchValue(string Name, string Unit, double Value);

/// <summary>How the bridge's instruments become CloudWatch metrics: one value per name and interval, with the single
/// <c>ServiceName</c> dimension.</summary>
/// <remarks>
/// CloudWatch bills per metric and dimension combination, so per-table and per-shard tags are aggregated away here:
/// counts are summed, lag and ages take the worst shard (what an alarm wants). The per-shard view is Prometheus's.
/// <c>cdk/Bridge.Cdk/BridgeMetricNames.cs</c> must use exactly these names; a test reads it and checks.
/// </remarks>
internal static class CloudWatchMetricMap
{
    private enum Folding
    {
        /// <summary>Sum of every point (a counter's delta, or a gauge summed over tags); 0 when nothing was recorded.</summary>
        Sum,

        /// <summary>Largest point, times <see cref="Rule.Scale"/>; absent when no point.</summary>
        Max,

        /// <summary>Histogram mean over the interval; absent when nothing was recorded.</summary>
        HistogramMean,

        /// <summary>Histogram maximum over the interval; absent when nothing was recorded.</summary>
        HistogramMax,
    }

    private sealed record Rule(string Name, string Unit, string Instrument, Folding Fold, double Scale = 1, string? TagKey = null, string? TagValue = null);

    private const string Count = "Count";
    private const string Bytes = "Bytes";
    private const string Milliseconds = "Milliseconds";
    private const string Percent = "Percent";

    private static readonly Rule[] Rules =
    [
        new("RecordsRead", Count, "bridge.source.records_read", Folding.Sum),
        new("RecordsForwarded", Count, "bridge.sink.records_forwarded", Folding.Sum),
        new("BytesForwarded", Bytes, "bridge.sink.bytes_forwarded", Folding.Sum),
        new("RecordsUndeliverable", Count, "bridge.records.undeliverable", Folding.Sum),
        new("RecordsSkipped", Count, "bridge.records.undeliverable", Folding.Sum, TagKey: "action", TagValue: "Skip"),
        new("RecordsDeadLettered", Count, "bridge.records.undeliverable", Folding.Sum, TagKey: "action", TagValue: "DeadLetter"),
        new("RecordsBlocked", Count, "bridge.records.undeliverable", Folding.Sum, TagKey: "action", TagValue: "Block"),
        new("RecordsFiltered", Count, "bridge.records.filtered", Folding.Sum),
        new("PutRecordsRequests", Count, "bridge.sink.put_records.requests", Folding.Sum),
        new("KinesisRecords", Count, "bridge.sink.kinesis_records", Folding.Sum),
        new("PutRecordsFailed", Count, "bridge.sink.entries_failed", Folding.Sum),
        new("PutRecordsThrottled", Count, "bridge.sink.entries_throttled", Folding.Sum),
        new("PutRecordsRetries", Count, "bridge.sink.retries", Folding.Sum),
        new("SourceReadErrors", Count, "bridge.source.read_errors", Folding.Sum),
        new("SourceTrimmed", Count, "bridge.source.trimmed", Folding.Sum),
        new("LeasesTaken", Count, "bridge.lease.taken", Folding.Sum),
        new("LeasesLost", Count, "bridge.lease.lost", Folding.Sum),
        new("LeasesHeld", Count, "bridge.lease.held", Folding.Sum),
        new("SourceShards", Count, "bridge.source.shards", Folding.Sum),
        new("InFlightRecords", Count, "bridge.sink.in_flight.records", Folding.Sum),
        new("InFlightBytes", Bytes, "bridge.sink.in_flight.bytes", Folding.Sum),
        new("SourceLagMs", Milliseconds, "bridge.source.lag", Folding.Max, 1000),
        new("TimeSinceLastReadMs", Milliseconds, "bridge.source.since_last_read", Folding.Max, 1000),
        new("CheckpointAgeMs", Milliseconds, "bridge.checkpoint.age", Folding.Max, 1000),
        new("ForwardLatencyAvgMs", Milliseconds, "bridge.forward.latency", Folding.HistogramMean, 1000),
        new("ForwardLatencyMaxMs", Milliseconds, "bridge.forward.latency", Folding.HistogramMax, 1000),
        new("WatermarkDelayMs", Milliseconds, "bridge.ordering.watermark_delay", Folding.Max, 1000),
        new("HeldRecords", Count, "bridge.ordering.held_records", Folding.Sum),
        new("LateRecords", Count, "bridge.ordering.late_records", Folding.Sum),
        new("BackfillItemsScanned", Count, "bridge.backfill.items_scanned", Folding.Sum),
        new("BackfillProgressPercent", Percent, "bridge.backfill.progress", Folding.Max, 100),
        new("BackfillTimeLeftMs", Milliseconds, "bridge.backfill.time_left", Folding.Max, 1000),
    ];

    /// <summary>Every CloudWatch metric name this map can emit.</summary>
    public static IEnumerable<string> Names => Rules.Select(r => r.Name);

    /// <summary>Folds one export (delta temporality: counters hold what happened in the interval) into CloudWatch values.</summary>
    public static List<CloudWatchValue> Fold(in Batch<Metric> batch)
    {
        var sums = new double[Rules.Length];
        var seen = new bool[Rules.Length];
        var histogramCounts = new double[Rules.Length];
        foreach (var metric in batch)
        {
            if (metric.MeterName != BridgeMetrics.MeterName)
            {
                continue;
            }

            for (var r = 0; r < Rules.Length; r++)
            {
                var rule = Rules[r];
                if (rule.Instrument != metric.Name)
                {
                    continue;
                }

                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    if (rule.TagKey is not null && !HasTag(point, rule.TagKey, rule.TagValue!))
                    {
                        continue;
                    }

                    switch (rule.Fold)
                    {
                        case Folding.Sum:
                            sums[r] += ValueOf(metric.MetricType, point);
                            seen[r] = true;
                            break;
                        case Folding.Max:
                            var value = ValueOf(metric.MetricType, point) * rule.Scale;
                            sums[r] = seen[r] ? Math.Max(sums[r], value) : value;
                            seen[r] = true;
                            break;
                        case Folding.HistogramMean when point.GetHistogramCount() > 0:
                            sums[r] += point.GetHistogramSum() * rule.Scale;
                            histogramCounts[r] += point.GetHistogramCount();
                            seen[r] = true;
                            break;
                        case Folding.HistogramMax when point.GetHistogramCount() > 0 && point.TryGetHistogramMinMaxValues(out _, out var max):
                            sums[r] = seen[r] ? Math.Max(sums[r], max * rule.Scale) : max * rule.Scale;
                            seen[r] = true;
                            break;
                    }
                }
            }
        }

        var values = new List<CloudWatchValue>(Rules.Length);
        for (var r = 0; r < Rules.Length; r++)
        {
            var rule = Rules[r];
            if (rule.Fold == Folding.Sum)
            {
                // An idle interval exports no delta points: report 0, so graphs and alarms see "nothing" rather than "no data".
                values.Add(new CloudWatchValue(rule.Name, rule.Unit, sums[r]));
            }
            else if (seen[r])
            {
                var value = rule.Fold == Folding.HistogramMean ? sums[r] / histogramCounts[r] : sums[r];
                values.Add(new CloudWatchValue(rule.Name, rule.Unit, Math.Round(value, 3)));
            }
        }

        return values;
    }

    private static double ValueOf(MetricType type, in MetricPoint point) => type switch
    {
        MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
        MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => point.GetSumDouble(),
        MetricType.LongGauge => point.GetGaugeLastValueLong(),
        MetricType.DoubleGauge => point.GetGaugeLastValueDouble(),
        _ => 0,
    };

    private static bool HasTag(in MetricPoint point, string key, string value)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return string.Equals(tag.Value?.ToString(), value, StringComparison.Ordinal);
            }
        }

        return false;
    }
}
