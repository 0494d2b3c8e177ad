using System.CommandLine;
using System.Text.Json;
using Bridge.Sink;

namespace Bridge.Host.Operator.Plan;

/// <summary><c>Bridge.Host plan</c>: sizes a deployment from numbers, or from measuring the live table's stream.</summary>
internal static class PlanCommand
{
    private static readonly Option<double?> WritesPerSecond = new("--writes-per-second") { Description = "Item changes per second (stream records per second)." };
    private static readonly Option<double?> RecordBytes = new("--record-bytes") { Description = "Bytes of one stream record as DynamoDB Streams returns it (JSON)." };
    private static readonly Option<double?> ConsumerRate = new("--consumer-records-per-second") { Description = "Records per second one consumer of the target stream handles (one consumer per target shard)." };
    private static readonly Option<long?> Keys = new("--keys") { Description = "Distinct partition keys." };
    private static readonly Option<double?> HotKeyShare = new("--hot-key-share") { Description = "Share (0-1) of the writes that go to the busiest key." };
    private static readonly Option<RecordAggregation> Aggregation = new("--aggregation") { Description = "None or Kpl (Bridge:Target:Aggregation).", DefaultValueFactory = _ => RecordAggregation.None };
    private static readonly Option<int?> SourceShards = new("--source-shards") { Description = "Open shards of the table's stream (default: writes/s / 1,000, at least 1)." };
    private static readonly Option<double?> ItemBytes = new("--item-bytes") { Description = "Item size, for the native integration's capture units (default: --record-bytes, an upper bound)." };
    private static readonly Option<double> KeyBytes = new("--key-bytes") { Description = "Partition key length in bytes.", DefaultValueFactory = _ => Workload.DefaultKeyBytes };
    private static readonly Option<double> Headroom = new("--headroom") { Description = "Share of a shard's limits kept free for hash skew (BENCHMARKS.md §5).", DefaultValueFactory = _ => BridgeCapacity.HashSkewHeadroom };
    private static readonly Option<string?> Sample = new("--sample") { Description = "Measure this table's stream instead of giving the numbers (read-only; nothing is written)." };
    private static readonly Option<string?> Key = new("--key") { Description = "With --sample: the partition key attribute (name or dotted path), as Bridge:Sources:N:PartitionKey." };
    private static readonly Option<int> Seconds = new("--seconds") { Description = "With --sample: how long to measure.", DefaultValueFactory = _ => 60 };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the plan as JSON." };

    public static Command Create()
    {
        var command = new Command("plan", "Size a deployment: target shards, workers, the hottest key against strict order, and the monthly cost against the alternatives.")
        {
            WritesPerSecond, RecordBytes, ConsumerRate, Keys, HotKeyShare, Aggregation, SourceShards, ItemBytes, KeyBytes, Headroom, Sample, Key, Seconds, Json,
        };
        command.SetAction((parse, cancellationToken) => OperatorCommand.GuardAsync("plan", () => RunAsync(parse, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        WorkloadSample? sample = null;
        if (parse.GetValue(Sample) is { } table)
        {
            var key = parse.GetValue(Key) ?? throw OperatorFailure.Input("--sample needs --key ATTRIBUTE (the partition key the bridge would use).");
            var seconds = parse.GetValue(Seconds);
            if (seconds < 1)
            {
                throw OperatorFailure.Input("--seconds must be at least 1.");
            }

            await using var aws = OperatorAws.Create();
            sample = await new StreamSampler(aws.DynamoDb, aws.Streams, TimeProvider.System)
                .SampleAsync(table, key, TimeSpan.FromSeconds(seconds), cancellationToken).ConfigureAwait(false);
            if (sample.Records == 0)
            {
                throw OperatorFailure.Input($"no writes to '{table}' in {seconds} s: sample while it takes traffic, or give --writes-per-second and --record-bytes.");
            }
        }

        var workload = WorkloadOf(parse, sample);
        var problems = workload.Problems();
        if (problems.Count > 0)
        {
            throw OperatorFailure.Input(string.Join(" ", problems));
        }

        var plan = CapacityPlanner.Plan(workload);
        await Console.Out.WriteAsync(parse.GetValue(Json)
            ? JsonSerializer.Serialize(new PlanDocument(AwsPrices.AsOf, AwsPrices.Source, sample, plan), OperatorJsonContext.Readable.PlanDocument) + Environment.NewLine
            : PlanReport.Render(plan, sample)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The numbers given, with what the sample measured in place of the traffic's own figures (the distinct keys
    /// seen in the window stand for the key count: a lower bound).</summary>
    private static Workload WorkloadOf(ParseResult parse, WorkloadSample? sample) => new(
        WritesPerSecond: sample?.RecordsPerSecond ?? parse.GetValue(WritesPerSecond) ?? throw OperatorFailure.Input("give --writes-per-second (or --sample TABLE --key ATTRIBUTE to measure it)."),
        RecordBytes: sample?.MeanRecordBytes ?? parse.GetValue(RecordBytes) ?? throw OperatorFailure.Input("give --record-bytes (or --sample TABLE --key ATTRIBUTE to measure it)."),
        ConsumerRecordsPerSecond: parse.GetValue(ConsumerRate),
        Keys: sample?.DistinctKeys ?? parse.GetValue(Keys),
        HotKeyShare: sample is null ? parse.GetValue(HotKeyShare) : sample.HotKeyShare,
        Aggregation: parse.GetValue(Aggregation),
        SourceShards: sample?.OpenShards ?? parse.GetValue(SourceShards),
        ItemBytes: sample?.MeanItemBytes ?? parse.GetValue(ItemBytes),
        KeyBytes: sample?.MeanKeyBytes ?? parse.GetValue(KeyBytes),
        Headroom: parse.GetValue(Headroom));
}

/// <summary>The JSON form of a plan: the prices' date, what was measured (if sampled) and every figure.</summary>
internal sealed record PlanDocument(string PricesAsOf, string PricesSource, WorkloadSample? Sample, CapacityPlan Plan);
