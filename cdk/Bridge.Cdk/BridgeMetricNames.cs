namespace Bridge.Cdk;

/// <summary>The metric contract between the worker and the alarms and dashboard built here.</summary>
/// <remarks>
/// The worker writes these as CloudWatch Embedded Metric Format lines on stdout (or, with
/// <c>metricsExporter=CloudWatch</c>, sends the same values with PutMetricData); CloudWatch turns them into
/// metrics. The worker's side is <c>src/Bridge.Host/Telemetry/CloudWatchMetricMap.cs</c>, and an integration test
/// checks that every name here is among the names it emits. Alarms use the single dimension
/// <see cref="ServiceDimension"/>: any per-table or per-shard dimension would multiply the metric count (and its
/// cost) by the shard count. Values are per interval (<c>Bridge:Metrics:EmfInterval</c>, 60 s by default).
/// </remarks>
public static class BridgeMetricNames
{
    public const string Namespace = "DynamoDbKinesisBridge";

    /// <summary>Dimension whose value is <see cref="DynamoDbKinesisBridgeProps.ServiceName"/>.</summary>
    public const string ServiceDimension = "ServiceName";

    /// <summary>Milliseconds between a change being written to DynamoDB and now, for the newest forwarded change of
    /// the worst source shard (maximum over shards).</summary>
    public const string SourceLagMs = "SourceLagMs";

    /// <summary>Milliseconds since the last successful GetRecords of the least recently read shard.</summary>
    public const string TimeSinceLastReadMs = "TimeSinceLastReadMs";

    /// <summary>Maximum milliseconds from a change in the table to Kinesis acknowledging it, in the interval.</summary>
    public const string ForwardLatencyMaxMs = "ForwardLatencyMaxMs";

    /// <summary>Mean milliseconds from a change in the table to Kinesis acknowledging it, in the interval.</summary>
    public const string ForwardLatencyAvgMs = "ForwardLatencyAvgMs";

    public const string RecordsRead = "RecordsRead";

    public const string RecordsForwarded = "RecordsForwarded";

    public const string RecordsUndeliverable = "RecordsUndeliverable";

    /// <summary>Records intentionally not forwarded (Filter, IgnoreModifiesOf) and checkpointed past.</summary>
    public const string RecordsFiltered = "RecordsFiltered";

    /// <summary>PutRecords entries refused for a target shard's throughput (retried).</summary>
    public const string PutRecordsThrottled = "PutRecordsThrottled";

    /// <summary>PutRecords entries that failed an attempt, throttling included (retried).</summary>
    public const string PutRecordsFailed = "PutRecordsFailed";

    /// <summary>Source reads that failed after the wire client's retries; the shard keeps retrying.</summary>
    public const string SourceReadErrors = "SourceReadErrors";

    /// <summary>Times unread source records were trimmed before the bridge read them: data lost at the source.</summary>
    public const string SourceTrimmed = "SourceTrimmed";

    /// <summary>Records read and not yet acknowledged by Kinesis.</summary>
    public const string InFlightRecords = "InFlightRecords";

    /// <summary>Milliseconds since the oldest held lease last wrote a checkpoint.</summary>
    public const string CheckpointAgeMs = "CheckpointAgeMs";

    /// <summary>Merge mode: milliseconds between now and the watermark (maximum in the interval).</summary>
    public const string WatermarkDelayMs = "WatermarkDelayMs";

    /// <summary>Merge mode: records whose order value was below one already released for their key.</summary>
    public const string LateRecords = "LateRecords";

    /// <summary>Items a backfill scanned and handed to the sink.</summary>
    public const string BackfillItemsScanned = "BackfillItemsScanned";

    /// <summary>Share of the table a running backfill has scanned, in percent; absent when no backfill runs.</summary>
    public const string BackfillProgressPercent = "BackfillProgressPercent";
}
