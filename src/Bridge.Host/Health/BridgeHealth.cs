using System.Globalization;
using Bridge.Telemetry;
using Microsoft.Extensions.Hosting;

namespace Bridge.Host.Health;

/// <summary>One shard as the health endpoint reports it.</summary>
internal sealed record ShardHealth(string Table, string ShardId, bool Read, double SecondsSinceProgress, int ReadFailures, string? LastReadError, string? Blocked);

/// <summary>The answer of <c>/health</c> and <c>/ready</c>: a verdict, and why.</summary>
internal sealed record HealthReport(bool Healthy, bool Ready, IReadOnlyList<string> Problems, IReadOnlyList<ShardHealth> Shards);

/// <summary>Judges liveness and readiness from the shards the engine reads (<see cref="BridgeMetrics.Shards"/>).</summary>
/// <remarks>
/// <para>Unhealthy (the orchestrator should replace the task): a shard is blocked on an undeliverable record, or has
/// made no progress (no successful read and no acknowledgement) for <see cref="HealthOptions.StallTimeout"/>. A shard
/// held back by a slow sink still gets acknowledgements, so back-pressure alone is not a stall.</para>
/// <para>Ready: the host is not stopping, the sources were resolved and at least one shard read successfully (so the
/// source answers), and the process is healthy. Before the first shard starts the process is healthy and not ready;
/// the ECS start period covers that.</para>
/// </remarks>
internal sealed class BridgeHealth(BridgeMetrics metrics, HealthOptions options, TimeProvider time, IHostApplicationLifetime lifetime)
{
    public HealthReport Evaluate()
    {
        var now = time.GetUtcNow();
        var problems = new List<string>();
        var shards = new List<ShardHealth>();
        foreach (var status in metrics.Shards.OrderBy(s => s.Shard.TableName, StringComparer.Ordinal).ThenBy(s => s.Shard.ShardId, StringComparer.Ordinal))
        {
            var shard = status.Shard;
            var idle = now - status.LastProgressAt;
            shards.Add(new ShardHealth(shard.TableName, shard.ShardId, status.HasRead, Math.Round(idle.TotalSeconds, 1), status.ConsecutiveReadFailures, status.LastReadError, status.BlockedReason));
            if (status.BlockedReason is { } blocked)
            {
                problems.Add($"shard {shard.TableName}/{shard.ShardId} is blocked: {blocked}");
            }
            else if (idle > options.StallTimeout)
            {
                var why = status.LastReadError is { } error ? $"last read error: {error}" : "no read has returned";
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"shard {shard.TableName}/{shard.ShardId} made no progress for {idle.TotalSeconds:0} s (stall timeout {options.StallTimeout.TotalSeconds:0} s; {why})"));
            }
        }

        var healthy = problems.Count == 0;
        var ready = healthy && !lifetime.ApplicationStopping.IsCancellationRequested && shards.Any(s => s.Read);
        return new HealthReport(healthy, ready, problems, shards);
    }
}
