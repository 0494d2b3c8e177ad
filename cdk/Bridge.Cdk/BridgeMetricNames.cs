namespace Bridge.Cdk;

/// <summary>The metric contract between the worker and the alarms and dashboard built here.</summary>
/// <remarks>
/// The worker writes these as CloudWatch Embedded Metric Format lines on stdout; CloudWatch Logs turns
/// them into metrics. Every name lives here, and only here, so that aligning with the engine's
/// <c>Telemetry/</c> is a one-file change. Alarms use the single dimension <see cref="ServiceDimension"/>:
/// any per-table or per-shard dimension would multiply the metric count (and its cost) by the shard count.
/// </remarks>
public static class BridgeMetricNames
{
    public const string Namespace = "DynamoDbKinesisBridge";

    /// <summary>Dimension whose value is <see cref="DynamoDbKinesisBridgeProps.ServiceName"/>.</summary>
    public const string ServiceDimension = "ServiceName";

    /// <summary>Milliseconds between a change being written to DynamoDB and the bridge reading it.</summary>
    public const string SourceLagMs = "SourceLagMs";

    public const string RecordsForwarded = "RecordsForwarded";

    public const string RecordsUndeliverable = "RecordsUndeliverable";

    public const string PutRecordsThrottled = "PutRecordsThrottled";

    public const string PutRecordsFailed = "PutRecordsFailed";

    /// <summary>Milliseconds since the oldest held lease last wrote a checkpoint.</summary>
    public const string CheckpointAgeMs = "CheckpointAgeMs";
}
