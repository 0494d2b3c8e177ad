using Bridge.Sink;
using static Bridge.Host.Operator.Plan.Formula;

namespace Bridge.Host.Operator.Plan;

/// <summary>Sizes a deployment for a <see cref="Workload"/>: target shards, workers and task size, the hot key's verdict,
/// and the monthly cost of the bridge and its alternatives.</summary>
/// <remarks>Pure arithmetic over <see cref="BridgeCapacity"/> (measured) and <see cref="AwsPrices"/>; every figure carries
/// the formula that made it, so the printed plan can be checked by hand.</remarks>
internal static class CapacityPlanner
{
    /// <summary>Fargate task sizes (vCPU) and the least memory (GB) each allows.</summary>
    private static readonly (double Vcpu, double MemoryGb)[] FargateSizes = [(0.25, 0.5), (0.5, 1), (1, 2), (2, 4), (4, 8), (8, 16), (16, 32)];

    public static CapacityPlan Plan(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var w = workload.WritesPerSecond;
        var usable = 1 - workload.Headroom;
        var outBytes = workload.RecordBytes + BridgeCapacity.SourceFieldBytes + workload.KeyBytes;
        var output = new Formula(
            "Kinesis record bytes", outBytes,
            $"{Show(workload.RecordBytes)} (stream record) + {BridgeCapacity.SourceFieldBytes} (source fields) + {Show(workload.KeyBytes)} (partition key) = {Show(outBytes)} B",
            "source fields: BENCHMARKS.md §5");

        var byRecords = ShardsFor("shards by records/s", w, BridgeCapacity.ShardRecordsPerSecond, usable, "records/s", "1,000 records/s per shard");
        var byBytes = ShardsFor("shards by bytes/s", w * outBytes, BridgeCapacity.ShardBytesPerSecond, usable, "B/s", "1 MiB/s per shard");
        byBytes = byBytes with { Expression = $"{Show(w)} × {Show(outBytes)} B = " + byBytes.Expression };
        var byConsumer = workload.ConsumerRecordsPerSecond is { } c
            ? ShardsFor("shards by consumer rate", w, c, usable, "records/s", "one consumer per target shard")
            : null;
        var shards = (int)Math.Max(1, Math.Max(byRecords.Value, Math.Max(byBytes.Value, byConsumer?.Value ?? 0)));

        var sourceShards = workload.SourceShards is { } given
            ? new Formula("source shards", given, $"{given} (given or measured)")
            : new Formula(
                "source shards", Math.Max(1, Math.Ceiling(w / BridgeCapacity.PartitionWritesPerSecond)),
                $"ceil({Show(w)} / {Show(BridgeCapacity.PartitionWritesPerSecond)}) = {Show(Math.Max(1, Math.Ceiling(w / BridgeCapacity.PartitionWritesPerSecond)))} (at least; DynamoDB may split further)",
                "a DynamoDB partition takes 1,000 writes/s");
        var workers = Math.Max(2, Math.Ceiling(sourceShards.Value / BridgeCapacity.SourceShardsPerWorker));
        var workerFormula = new Formula(
            "workers", workers,
            $"max(2, ceil({Show(sourceShards.Value)} / {BridgeCapacity.SourceShardsPerWorker})) = {Show(workers)}",
            "50 source shards per worker sustained: BENCHMARKS.md §4; 2 so a crash fails over");

        // With one worker down the others carry everything, so each task is sized for W / (workers - 1).
        var perWorker = w / (workers - 1);
        var cpu = perWorker * BridgeCapacity.CpuSecondsPerRecord * BridgeCapacity.UnmeasuredCpuFactor;
        var (vcpu, memory) = FargateSizes.FirstOrDefault(s => s.Vcpu >= cpu, FargateSizes[^1]);
        var cpuFormula = new Formula(
            "task CPU (cores)", cpu,
            $"{Show(w)} / ({Show(workers)} - 1) × {BridgeCapacity.CpuSecondsPerRecord * 1e6} µs × {BridgeCapacity.UnmeasuredCpuFactor} = {Show(cpu, 3)} cores → {Show(vcpu)} vCPU / {Show(memory)} GB (working set measured {BridgeCapacity.WorkingSetMegabytes} MB at 50 shards)",
            "12.9 µs/record and working set: BENCHMARKS.md §4; ×2 for HTTP/TLS/SigV4, not in that simulation");

        var keysNeeded = w * BridgeCapacity.PutRecordsRoundTripSeconds;
        var keysFormula = new Formula(
            "keys with records waiting, for full throughput", Math.Ceiling(keysNeeded),
            $"ceil({Show(w)} × {BridgeCapacity.PutRecordsRoundTripSeconds} s) = {Show(Math.Ceiling(keysNeeded))}",
            "one entry per key per PutRecords round trip: BENCHMARKS.md §3, §5");

        var hot = HotKey(workload, outBytes);
        var warnings = Warnings(workload, shards, keysFormula.Value, hot);
        var plan = new CapacityPlan(
            workload, output, byRecords, byBytes, byConsumer, shards, sourceShards, workerFormula, cpuFormula, vcpu, memory, keysFormula, hot, [], warnings);
        return plan with { Costs = CostComparison.For(plan) };
    }

    /// <summary>ceil(load / (limit × (1 - headroom))).</summary>
    internal static Formula ShardsFor(string name, double load, double perShard, double usable, string unit, string source)
    {
        var shards = Math.Ceiling(load / (perShard * usable));
        return new Formula(name, shards, $"ceil({Show(load)} {unit} / ({Show(perShard)} × {Show(usable)})) = {Show(shards)}", source);
    }

    /// <summary>One key moves one entry per round trip (1 / RTT records/s); with KPL aggregation an entry carries
    /// floor(50 KiB / record) records, but never more than a target shard's 1 MiB/s of them.</summary>
    internal static HotKeyCheck? HotKey(Workload workload, double outBytes)
    {
        if (workload.HotKeyShare is not { } share)
        {
            return null;
        }

        var rate = new Formula("hottest key", share * workload.WritesPerSecond, $"{Show(share, 4)} × {Show(workload.WritesPerSecond)} = {Show(share * workload.WritesPerSecond)} records/s");
        var rtt = BridgeCapacity.PutRecordsRoundTripSeconds;
        var strict = new Formula(
            "one key, strict order", 1 / rtt,
            $"1 entry / {rtt} s = {Show(1 / rtt)} records/s (measured {BridgeCapacity.MeasuredHotKeyRecordsPerSecond})",
            "BENCHMARKS.md §3");
        var perAggregate = Math.Max(1, Math.Floor(BridgeCapacity.MaxAggregateBytes / outBytes));
        var byAggregates = perAggregate / rtt;
        var byShard = BridgeCapacity.ShardBytesPerSecond / outBytes;
        var kpl = new Formula(
            "one key, KPL aggregation", Math.Min(byAggregates, byShard),
            $"min(floor({BridgeCapacity.MaxAggregateBytes} / {Show(outBytes)}) / {rtt} s, {Show(BridgeCapacity.ShardBytesPerSecond)} / {Show(outBytes)}) = min({Show(byAggregates)}, {Show(byShard)}) = {Show(Math.Min(byAggregates, byShard))} records/s (measured {BridgeCapacity.MeasuredKplHotKeyRecordsPerSecond} at ~1.14 KB)",
            "BENCHMARKS.md §3");
        bool? fitsConsumer = workload.ConsumerRecordsPerSecond is { } c ? rate.Value <= c : null;
        return new HotKeyCheck(rate, strict, kpl, rate.Value <= strict.Value, rate.Value <= kpl.Value, fitsConsumer);
    }

    private static List<string> Warnings(Workload workload, int shards, double keysNeeded, HotKeyCheck? hot)
    {
        var warnings = new List<string>();
        if (hot is { FitsStrictOrder: false })
        {
            warnings.Add(hot.FitsWithKpl
                ? $"The hottest key ({Show(hot.Rate.Value)} records/s) is above what strict order moves without aggregation ({Show(hot.StrictOrderLimit.Value)}/s): its backlog grows. Use Bridge:Target:Aggregation=Kpl (every consumer must de-aggregate) or a finer partition key."
                : $"The hottest key ({Show(hot.Rate.Value)} records/s) is above what one key can move even with KPL aggregation ({Show(hot.KplLimit.Value)}/s): choose a finer partition key.");
        }

        if (hot is { FitsOneConsumer: false })
        {
            warnings.Add($"The hottest key ({Show(hot.Rate.Value)} records/s) alone exceeds one consumer's {Show(workload.ConsumerRecordsPerSecond ?? 0)} records/s: all of a key lands on one shard, so no shard count fixes this.");
        }

        if (workload.Keys is { } keys && keys < shards)
        {
            warnings.Add($"{keys} keys over {shards} target shards: at least {shards - keys} shards get no key at all; consumers cannot spread wider than the keys.");
        }

        if (workload.Keys is { } k && k < keysNeeded && workload.Aggregation == RecordAggregation.None)
        {
            warnings.Add($"{k} keys are fewer than the {Show(keysNeeded)} with records waiting that {Show(workload.WritesPerSecond)} records/s needs in strict order (one entry per key per round trip): a backlog drains slowly; KPL aggregation lifts it.");
        }

        return warnings;
    }
}
