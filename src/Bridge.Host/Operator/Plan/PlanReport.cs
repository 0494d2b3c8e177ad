using System.Text;
using Bridge.Sink;
using static Bridge.Host.Operator.Plan.Formula;

namespace Bridge.Host.Operator.Plan;

/// <summary>A plan as text for a person: the answer first, then every formula, the costs side by side, and the warnings.</summary>
internal static class PlanReport
{
    public static string Render(CapacityPlan plan, WorkloadSample? sample)
    {
        var text = new StringBuilder();
        var workload = plan.Workload;
        if (sample is not null)
        {
            Sample(text, sample);
        }

        text.AppendLine("Workload")
            .AppendLine($"  writes/s {Show(workload.WritesPerSecond)}, record {Show(workload.RecordBytes)} B, consumer {(workload.ConsumerRecordsPerSecond is { } c ? Show(c) + " records/s" : "not given")}, keys {(workload.Keys is { } k ? Show(k) : "not given")}, hottest key share {(workload.HotKeyShare is { } h ? Show(h * 100, 2) + " %" : "not given")}, aggregation {workload.Aggregation}, headroom {Show(workload.Headroom * 100)} %")
            .AppendLine();

        text.AppendLine($"Target shards: {plan.TargetShards}");
        Line(text, plan.OutputRecordBytes);
        Line(text, plan.ShardsByRecords);
        Line(text, plan.ShardsByBytes);
        if (plan.ShardsByConsumer is { } consumer)
        {
            Line(text, consumer);
        }

        if (workload.Aggregation == RecordAggregation.Kpl)
        {
            text.AppendLine("  (with Kpl, records/s counts aggregates: at a steady trickle over many keys records go out alone, so it is sized as without)");
        }

        text.AppendLine()
            .AppendLine($"Workers: {Show(plan.Workers.Value)} tasks of {Show(plan.TaskVcpu)} vCPU / {Show(plan.TaskMemoryGb)} GB (cdk: -c workerCount={Show(plan.Workers.Value)} -c cpu={Show(plan.TaskVcpu * 1024)} -c memoryMiB={Show(plan.TaskMemoryGb * 1024)} -c targetShardCount={plan.TargetShards})");
        Line(text, plan.SourceShards);
        Line(text, plan.Workers);
        Line(text, plan.TaskCpuNeeded);
        text.AppendLine();

        text.AppendLine("Keys and strict order");
        Line(text, plan.KeysForFullThroughput);
        if (plan.HotKey is { } hot)
        {
            Line(text, hot.Rate);
            Line(text, hot.StrictOrderLimit);
            Line(text, hot.KplLimit);
            text.AppendLine($"  verdict: {(hot.FitsStrictOrder ? "fits strict order without aggregation" : hot.FitsWithKpl ? "too hot without aggregation; fits with Bridge:Target:Aggregation=Kpl" : "too hot even with KPL aggregation: choose a finer key")}"
                + (hot.FitsOneConsumer is false ? "; and above one consumer's rate" : ""));
        }
        else
        {
            text.AppendLine("  hottest key: not given (--hot-key-share, or --sample to measure it)");
        }

        text.AppendLine();
        Costs(text, plan.Costs);
        if (plan.Warnings.Count > 0)
        {
            text.AppendLine().AppendLine("Warnings");
            foreach (var warning in plan.Warnings)
            {
                text.AppendLine("  ! " + warning);
            }
        }

        return text.ToString();
    }

    private static void Sample(StringBuilder text, WorkloadSample sample)
    {
        text.AppendLine($"Measured on table '{sample.TableName}' for {Show(sample.Seconds, 1)} s (stream read from LATEST, read-only; {sample.OpenShards} open stream shard(s))")
            .AppendLine($"  records {sample.Records} = {Show(sample.RecordsPerSecond)}/s, {Show(sample.MeanRecordBytes)} B per record (item {Show(sample.MeanItemBytes)} B), {sample.DistinctKeys} distinct '{sample.KeyAttribute}' values")
            .AppendLine("  hottest keys: " + (sample.HottestKeys.Count == 0 ? "none seen" : string.Join(", ", sample.HottestKeys.Select(k => $"{k.Key} {k.Records} ({Show(k.ShareOf(sample.Records) * 100, 1)} %)"))));
        if (sample.RecordsWithoutKey > 0)
        {
            text.AppendLine($"  ! {sample.RecordsWithoutKey} records had no usable '{sample.KeyAttribute}' (Bridge:OnUndeliverable decides what happens to them)");
        }

        if (sample.ClosedDuringSample > 0)
        {
            text.AppendLine($"  ! {sample.ClosedDuringSample} shard(s) split during the sample; their children were not read, so the rate is low: sample again");
        }

        text.AppendLine();
    }

    private static void Costs(StringBuilder text, IReadOnlyList<CostOption> options)
    {
        text.AppendLine($"Monthly cost ({AwsPrices.HoursPerMonth} h; {AwsPrices.Source}, as of {AwsPrices.AsOf})");
        var width = options.Max(o => o.Name.Length);
        foreach (var option in options)
        {
            text.AppendLine($"  {option.Name.PadRight(width)}  {Money(option.MonthlyUsd),12}");
        }

        foreach (var option in options)
        {
            text.AppendLine().AppendLine($"  {option.Name}: {Money(option.MonthlyUsd)}");
            foreach (var line in option.Lines)
            {
                text.AppendLine($"    {Money(line.MonthlyUsd),10}  {line.Item}: {line.Expression}");
            }

            foreach (var note in option.Notes)
            {
                text.AppendLine($"    note: {note}");
            }
        }
    }

    private static void Line(StringBuilder text, Formula formula) =>
        text.AppendLine($"  {formula.Name}: {formula.Expression}" + (formula.Source is { } source ? $"  [{source}]" : ""));
}
