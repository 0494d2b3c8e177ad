using System.Globalization;

namespace Bridge.Cdk;

/// <summary>The worker's configuration, as the environment variables Bridge.Host binds (<c>__</c> stands for <c>:</c>).</summary>
internal static class WorkerEnvironment
{
    public static Dictionary<string, string> For(
        DynamoDbKinesisBridgeProps props,
        string targetStreamName,
        string leaseTableName,
        string serviceName,
        int drainSeconds)
    {
        var environment = new Dictionary<string, string>
        {
            ["Bridge__Target__StreamName"] = targetStreamName,
            ["Bridge__Checkpoints__TableName"] = leaseTableName,
            ["Bridge__StartPosition"] = props.StartPosition,
            ["Bridge__Target__Aggregation"] = props.Aggregation,
            ["Bridge__Target__Format"] = props.Format,
            ["Bridge__OnUndeliverable"] = props.OnUndeliverable,
            ["Bridge__Metrics__Exporter"] = props.MetricsExporter,
            // The alarms filter on this dimension value; the worker must emit it as-is.
            ["Bridge__Metrics__ServiceName"] = serviceName,
            // One JSON object per log line: CloudWatch Logs Insights can filter on EventId, Table and ShardId.
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffZ",
            ["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true",
            // The bridge's drain budget (the host allows 5 s more); ECS's stopTimeout is set longer
            // still, so the worker always finishes its final checkpoints before SIGKILL.
            ["Bridge__ShutdownTimeout"] = TimeSpan.FromSeconds(drainSeconds).ToString("c", CultureInfo.InvariantCulture),
        };

        for (var i = 0; i < props.Sources.Count; i++)
        {
            var source = props.Sources[i];
            environment[$"Bridge__Sources__{i}__TableName"] = source.TableName;
            environment[$"Bridge__Sources__{i}__PartitionKey"] = source.PartitionKey;
            if (source.ExplicitStreamArn is { } streamArn)
            {
                environment[$"Bridge__Sources__{i}__StreamArn"] = streamArn;
            }

            source.Shaping.AddTo(environment, i);
        }

        if (props.LeaseDuration is { } lease)
        {
            // The renew interval follows (a third of the duration), so one slow renewal never loses a lease.
            environment["Bridge__Leases__Duration"] = TimeSpan.FromSeconds(lease.ToSeconds()).ToString("c", CultureInfo.InvariantCulture);
        }

        if (props.DeadLetterStream is { } deadLetter)
        {
            environment["Bridge__DeadLetter__StreamName"] = deadLetter.StreamName;
        }

        return environment;
    }
}
