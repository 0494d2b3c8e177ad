using static Bridge.Host.Operator.Plan.AwsPrices;
using static Bridge.Host.Operator.Plan.Formula;

namespace Bridge.Host.Operator.Plan;

/// <summary>Monthly cost of the bridge against the other ways of getting a table's changes into Kinesis, each line
/// with its price and arithmetic. All four write to a Kinesis stream of the same shard count, so those lines are
/// the same; what differs is how the changes get there.</summary>
internal static class CostComparison
{
    /// <summary>Lambda's handler time per invocation: one PutRecords round trip against AWS (20–50 ms, BENCHMARKS.md §2,
    /// not measured here), at the least memory.</summary>
    public const double LambdaSecondsPerInvocation = 0.05;

    public const double LambdaMemoryGb = 0.128;

    public static IReadOnlyList<CostOption> For(CapacityPlan plan)
    {
        var w = plan.Workload.WritesPerSecond;
        var stream = TargetStream(plan.TargetShards, w, plan.OutputRecordBytes.Value);
        var shards = plan.SourceShards.Value;
        return [Bridge(plan, stream), Native(plan, stream), Pipes(plan, stream, shards), Lambda(plan, stream, shards)];
    }

    private static CostLine[] TargetStream(int shards, double w, double outBytes)
    {
        var units = Math.Ceiling(outBytes / PutPayloadUnitBytes);
        var unitsPerMonth = w * SecondsPerMonth * units;
        return
        [
            new("Kinesis shard-hours", shards * HoursPerMonth * KinesisShardHour, $"{shards} shards × {HoursPerMonth} h × {Price(KinesisShardHour)}"),
            new("Kinesis PUT payload units", unitsPerMonth / 1e6 * KinesisPutPayloadUnitsPerMillion,
                $"{Show(w)}/s × {Show(SecondsPerMonth)} s × {Show(units)} unit(s) of 25 KB = {Show(unitsPerMonth / 1e6)} M × {Price(KinesisPutPayloadUnitsPerMillion)}/M"),
        ];
    }

    private static CostOption Bridge(CapacityPlan plan, CostLine[] stream)
    {
        var workers = plan.Workers.Value;
        var sourceShards = plan.SourceShards.Value;
        var taskHour = (plan.TaskVcpu * FargateArmVcpuHour) + (plan.TaskMemoryGb * FargateArmGbHour);
        var reads = sourceShards * BridgeCapacity.PollsPerSecondPerShard * SecondsPerMonth;
        var billedReads = Math.Max(0, reads - StreamsFreeReadRequests);
        var checkpointsPerSecond = sourceShards * Math.Max(1 / BridgeCapacity.CheckpointIntervalSeconds, plan.Workload.WritesPerSecond / sourceShards / BridgeCapacity.CheckpointEveryRecords);
        var renewalsPerSecond = sourceShards / BridgeCapacity.LeaseRenewIntervalSeconds;
        return new CostOption(
            "bridge (this project, Fargate ARM)",
            [
                .. stream,
                new("Fargate tasks", workers * HoursPerMonth * taskHour,
                    $"{Show(workers)} × {HoursPerMonth} h × ({Show(plan.TaskVcpu)} vCPU × {Price(FargateArmVcpuHour)} + {Show(plan.TaskMemoryGb)} GB × {Price(FargateArmGbHour)})"),
                new("public IPv4", workers * HoursPerMonth * PublicIpv4Hour, $"{Show(workers)} × {HoursPerMonth} h × {Price(PublicIpv4Hour)}"),
                new("DynamoDB Streams GetRecords", billedReads / 100_000 * StreamsReadRequestsPer100K,
                    $"{Show(sourceShards)} shards × {BridgeCapacity.PollsPerSecondPerShard}/s × {Show(SecondsPerMonth)} s = {Show(reads / 1e6)} M - 2.5 M free = {Show(billedReads / 1e6)} M × {Price(StreamsReadRequestsPer100K)}/100k"),
                new("lease table: checkpoints + renewals", (checkpointsPerSecond + renewalsPerSecond) * SecondsPerMonth / 1e6 * DynamoDbWriteRequestsPerMillion,
                    $"({Show(checkpointsPerSecond, 3)} + {Show(renewalsPerSecond, 3)}) writes/s × {Show(SecondsPerMonth)} s × {Price(DynamoDbWriteRequestsPerMillion)}/M"),
                new("monitoring (CDK: 25 EMF metrics, alarms, dashboard)", BridgeMonitoringMonth, "25 × $0.30 + 6 × $0.10 + $3.00"),
            ],
            ["per-key order kept, key chosen by you; GetRecords is billed for this consumer (Lambda's is not)"]);
    }

    private static CostOption Native(CapacityPlan plan, CostLine[] stream)
    {
        var itemBytes = plan.Workload.ItemBytes ?? plan.Workload.RecordBytes;
        var units = Math.Ceiling(itemBytes / 1024);
        var perMonth = plan.Workload.WritesPerSecond * SecondsPerMonth * units;
        return new CostOption(
            "native Kinesis Data Streams for DynamoDB",
            [
                .. stream,
                new("change data capture units", perMonth / 1e6 * ChangeDataCaptureUnitsPerMillion,
                    $"{Show(plan.Workload.WritesPerSecond)}/s × {Show(SecondsPerMonth)} s × ceil({Show(itemBytes)} B / 1 KB) = {Show(perMonth / 1e6)} M × {Price(ChangeDataCaptureUnitsPerMillion)}/M"),
            ],
            [
                "records keyed by the table's own key, not one you choose; order across items not kept, duplicates possible (de-duplicate by ApproximateCreationDateTime)",
                plan.Workload.ItemBytes is null ? "item size taken as the record size: an upper bound" : "item size as measured",
            ]);
    }

    private static CostOption Pipes(CapacityPlan plan, CostLine[] stream, double sourceShards)
    {
        var requests = Requests(plan, sourceShards, out var batches);
        var chunks = plan.Workload.WritesPerSecond * plan.Workload.RecordBytes / PipesRequestBytes;
        return new CostOption(
            "EventBridge Pipes (stream → Kinesis)",
            [
                .. stream,
                new("Pipes requests", requests * SecondsPerMonth / 1e6 * PipesRequestsPerMillion,
                    $"max({Show(plan.Workload.WritesPerSecond)} × {Show(plan.Workload.RecordBytes)} B / 64 KB, {Show(batches)} batches) = {Show(Math.Max(chunks, batches))}/s × {Show(SecondsPerMonth)} s × {Price(PipesRequestsPerMillion)}/M"),
            ],
            ["partition key from a JSON path (e.g. $.dynamodb.NewImage.roomId.S); reads each source shard in order; its own stream reads are not counted here (its pricing page does not list them)"]);
    }

    private static CostOption Lambda(CapacityPlan plan, CostLine[] stream, double sourceShards)
    {
        var invocations = Math.Min(plan.Workload.WritesPerSecond, sourceShards * BridgeCapacity.ManagedPollsPerSecondPerShard);
        var gbSeconds = invocations * SecondsPerMonth * LambdaSecondsPerInvocation * LambdaMemoryGb;
        return new CostOption(
            "Lambda forwarder (stream trigger → PutRecords)",
            [
                .. stream,
                new("Lambda requests", invocations * SecondsPerMonth / 1e6 * LambdaRequestsPerMillion,
                    $"min({Show(plan.Workload.WritesPerSecond)}, {Show(sourceShards)} shards × 4 polls/s) = {Show(invocations)}/s × {Show(SecondsPerMonth)} s × {Price(LambdaRequestsPerMillion)}/M"),
                new("Lambda duration (ARM, 128 MB, 50 ms)", gbSeconds * LambdaArmGbSecond,
                    $"{Show(invocations)}/s × {Show(SecondsPerMonth)} s × {LambdaSecondsPerInvocation} s × {LambdaMemoryGb} GB = {Show(gbSeconds)} GB-s × {Price(LambdaArmGbSecond)}"),
            ],
            ["stream reads free for Lambda; per-key order and retries are your function's job (a failed batch blocks its shard; resending only the failed entries of a PutRecords reorders a key)"]);
    }

    /// <summary>Pipes bill a request per 64 KB of each batch, and every poll that finds records is at least one batch.</summary>
    private static double Requests(CapacityPlan plan, double sourceShards, out double batches)
    {
        batches = Math.Min(plan.Workload.WritesPerSecond, sourceShards * BridgeCapacity.ManagedPollsPerSecondPerShard);
        return Math.Max(plan.Workload.WritesPerSecond * plan.Workload.RecordBytes / PipesRequestBytes, batches);
    }
}
