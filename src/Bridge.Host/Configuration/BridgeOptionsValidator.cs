using Bridge.Forwarding;
using Bridge.Host.Telemetry;
using Bridge.Ordering;
using Microsoft.Extensions.Options;

namespace Bridge.Host.Configuration;

/// <summary>Checks the rules that span fields of <see cref="BridgeOptions"/>, and reports every problem at once.</summary>
internal sealed class BridgeOptionsValidator : IValidateOptions<BridgeOptions>
{
    public ValidateOptionsResult Validate(string? name, BridgeOptions options)
    {
        var problems = new List<string>();
        if (options.Sources.Count == 0)
        {
            problems.Add("Bridge:Sources: at least one source is required (Bridge:Sources:0:TableName and Bridge:Sources:0:PartitionKey).");
        }

        for (var i = 0; i < options.Sources.Count; i++)
        {
            var source = options.Sources[i];
            var hasTable = !string.IsNullOrWhiteSpace(source.TableName);
            var hasStream = !string.IsNullOrWhiteSpace(source.StreamArn);
            if (!hasTable && !hasStream)
            {
                problems.Add($"Bridge:Sources:{i}: give TableName or StreamArn (with both, the StreamArn is read).");
            }

            problems.AddRange(SourceOptionsRules.Problems(source, $"Bridge:Sources:{i}"));
            if (source.OrderBy is { } orderBy)
            {
                if (!options.Ordering.IsMerge)
                {
                    problems.Add($"Bridge:Sources:{i}:OrderBy is only read in Merge mode: set Bridge:Ordering:Mode to Merge, or remove it.");
                }
                else if (string.IsNullOrWhiteSpace(orderBy) || !IsAttributePath(orderBy))
                {
                    problems.Add($"Bridge:Sources:{i}:OrderBy '{orderBy}' is not valid: give the attribute (or dotted path into a map) holding the change's time, epoch milliseconds (N) or ISO-8601 (S).");
                }
            }
        }

        Ordering(problems, options);

        if (string.IsNullOrWhiteSpace(options.Target.StreamName))
        {
            problems.Add("Bridge:Target:StreamName is required: the Kinesis stream (name or ARN) to write to.");
        }

        if (string.IsNullOrWhiteSpace(options.Checkpoints.TableName))
        {
            problems.Add("Bridge:Checkpoints:TableName is required: the DynamoDB table for checkpoints (created if absent).");
        }

        if (options.StartPosition is not ("TRIM_HORIZON" or "LATEST" or "Snapshot"))
        {
            problems.Add($"Bridge:StartPosition '{options.StartPosition}' is not valid: use TRIM_HORIZON, LATEST or Snapshot.");
        }

        if (options.OnUndeliverable == UndeliverableAction.DeadLetter && string.IsNullOrWhiteSpace(options.DeadLetter.StreamName))
        {
            problems.Add("Bridge:DeadLetter:StreamName is required when Bridge:OnUndeliverable is DeadLetter.");
        }

        Positive(problems, "Bridge:Backfill:ProgressInterval", options.Backfill.ProgressInterval);
        Positive(problems, "Bridge:Reading:MinPollInterval", options.Reading.MinPollInterval);
        Positive(problems, "Bridge:Reading:IdlePollInterval", options.Reading.IdlePollInterval);
        Positive(problems, "Bridge:Checkpoints:Interval", options.Checkpoints.Interval);
        Positive(problems, "Bridge:DiscoveryInterval", options.DiscoveryInterval);
        Positive(problems, "Bridge:Sink:RetryBaseDelay", options.Sink.RetryBaseDelay);
        if (options.Sink.RetryMaxDelay < options.Sink.RetryBaseDelay)
        {
            problems.Add("Bridge:Sink:RetryMaxDelay must not be less than Bridge:Sink:RetryBaseDelay.");
        }

        if (options.ShutdownTimeout <= BridgeEngine.FinalCheckpointShare)
        {
            problems.Add($"Bridge:ShutdownTimeout must be more than {BridgeEngine.FinalCheckpointShare.TotalSeconds:0} s (the final checkpoint's share).");
        }

        Positive(problems, "Bridge:Leases:Duration", options.Leases.Duration);
        Positive(problems, "Bridge:Leases:CleanupDelay", options.Leases.CleanupDelay);
        if (options.Leases.RenewInterval is { } renew && renew <= TimeSpan.Zero)
        {
            problems.Add("Bridge:Leases:RenewInterval must be a positive duration (e.g. 00:00:03).");
        }
        else if (options.Leases.Duration <= 2 * options.Leases.EffectiveRenewInterval)
        {
            problems.Add("Bridge:Leases:Duration must be more than twice Bridge:Leases:RenewInterval, so one slow renewal does not lose the lease.");
        }

        if (options.Leases.WorkerId is { } worker && (worker.Length == 0 || worker.Length > 256 || worker.Any(char.IsWhiteSpace)))
        {
            problems.Add("Bridge:Leases:WorkerId must be 1 to 256 characters without spaces (or unset for host name, process id and a random suffix).");
        }

        if (options.Target.MaxAggregateBytes > options.Sink.MaxRecordBytes)
        {
            problems.Add($"Bridge:Target:MaxAggregateBytes ({options.Target.MaxAggregateBytes}) must not exceed Bridge:Sink:MaxRecordBytes ({options.Sink.MaxRecordBytes}): an aggregate is one Kinesis record.");
        }

        if (options.Sink.MinShardWindow > options.Sink.MaxShardWindow)
        {
            problems.Add("Bridge:Sink:MinShardWindow must not exceed Bridge:Sink:MaxShardWindow.");
        }

        Telemetry(problems, options);

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary><c>Bridge:Ordering</c>.</summary>
    private static void Ordering(List<string> problems, BridgeOptions options)
    {
        var ordering = options.Ordering;
        if (ordering.Lateness < TimeSpan.Zero || ordering.Lateness > MaxLateness)
        {
            problems.Add($"Bridge:Ordering:Lateness must be between 00:00:00 and {MaxLateness:c}: it is how long merged records wait at the sources' tip.");
        }

        if (ordering.IsMerge && ordering.OnLate == LateRecordAction.DeadLetter && string.IsNullOrWhiteSpace(options.DeadLetter.StreamName))
        {
            problems.Add("Bridge:DeadLetter:StreamName is required when Bridge:Ordering:OnLate is DeadLetter.");
        }
    }

    /// <summary>Beyond this, merged output would trail the sources by more than a consumer of a change stream waits for.</summary>
    private static readonly TimeSpan MaxLateness = TimeSpan.FromMinutes(15);

    /// <summary><c>Bridge:Metrics</c> and <c>Bridge:Health</c>.</summary>
    private static void Telemetry(List<string> problems, BridgeOptions options)
    {
        var metrics = options.Metrics;
        var exporters = MetricsExporterNames.Parse(metrics.Exporter, out var unknown);
        if (unknown.Count > 0)
        {
            problems.Add($"Bridge:Metrics:Exporter: unknown '{string.Join("', '", unknown)}'; use None, Prometheus, Emf, CloudWatch or Otlp, comma-separated.");
        }

        if (metrics.EmfInterval < TimeSpan.FromSeconds(1))
        {
            problems.Add("Bridge:Metrics:EmfInterval must be at least 00:00:01.");
        }

        if ((exporters & (MetricsExporters.Emf | MetricsExporters.CloudWatch)) != 0 && (string.IsNullOrWhiteSpace(metrics.ServiceName) || string.IsNullOrWhiteSpace(metrics.Namespace)))
        {
            problems.Add("Bridge:Metrics:ServiceName and Bridge:Metrics:Namespace are required for the Emf and CloudWatch exporters.");
        }

        Positive(problems, "Bridge:Health:StallTimeout", options.Health.StallTimeout);
        if (exporters.HasFlag(MetricsExporters.Prometheus) && options.Health.Port == metrics.PrometheusPort)
        {
            problems.Add($"Bridge:Health:Port and Bridge:Metrics:PrometheusPort are both {metrics.PrometheusPort}; give them different ports.");
        }
    }

    private static bool IsAttributePath(string path)
    {
        try
        {
            _ = new Aws.DynamoDbStreams.AttributePath(path);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Positive(List<string> problems, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{key} must be a positive duration (e.g. 00:00:00.250).");
        }
    }
}
