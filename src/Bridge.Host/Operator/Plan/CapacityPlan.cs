namespace Bridge.Host.Operator.Plan;

/// <summary>The answer of <see cref="CapacityPlanner"/>: every figure with its formula.</summary>
/// <param name="TargetShards">The largest of the three shard terms, at least 1: what to deploy with.</param>
/// <param name="TaskMemoryGb">The least Fargate memory for <see cref="TaskVcpu"/>'s size.</param>
/// <param name="Warnings">What no shard or worker count fixes (a key too hot, too few keys), one line each.</param>
internal sealed record CapacityPlan(
    Workload Workload,
    Formula OutputRecordBytes,
    Formula ShardsByRecords,
    Formula ShardsByBytes,
    Formula? ShardsByConsumer,
    int TargetShards,
    Formula SourceShards,
    Formula Workers,
    Formula TaskCpuNeeded,
    double TaskVcpu,
    double TaskMemoryGb,
    Formula KeysForFullThroughput,
    HotKeyCheck? HotKey,
    IReadOnlyList<CostOption> Costs,
    IReadOnlyList<string> Warnings);

/// <summary>The busiest key against what strict per-key order lets one key move.</summary>
/// <param name="FitsStrictOrder">The key's rate is within one entry per PutRecords round trip.</param>
/// <param name="FitsWithKpl">The key's rate is within what one key moves with KPL aggregation.</param>
/// <param name="ConsumerLimit">The key's rate against one consumer's (all of a key lands on one target shard), when a consumer rate was given.</param>
internal sealed record HotKeyCheck(
    Formula Rate,
    Formula StrictOrderLimit,
    Formula KplLimit,
    bool FitsStrictOrder,
    bool FitsWithKpl,
    bool? FitsOneConsumer);

/// <summary>One way of getting the changes into Kinesis, with its monthly cost line by line.</summary>
internal sealed record CostOption(string Name, IReadOnlyList<CostLine> Lines, IReadOnlyList<string> Notes)
{
    public double MonthlyUsd => Lines.Sum(l => l.MonthlyUsd);
}

internal sealed record CostLine(string Item, double MonthlyUsd, string Expression);
