using Bridge.Sink;

namespace Bridge.Host.Operator.Plan;

/// <summary>What the planner sizes for: given as numbers, or measured from the live table (<see cref="WorkloadSample"/>).</summary>
/// <param name="WritesPerSecond">Item changes per second, i.e. stream records per second.</param>
/// <param name="RecordBytes">One stream record as DynamoDB Streams returns it (its JSON), which is what the bridge forwards.</param>
/// <param name="ConsumerRecordsPerSecond">What one consumer of the target stream processes per second (one consumer per target shard); null to leave it out.</param>
/// <param name="Keys">Distinct partition keys; null when unknown.</param>
/// <param name="HotKeyShare">Share (0–1) of the records that carry the busiest key; null when unknown.</param>
/// <param name="SourceShards">Open shards of the table's stream; null to estimate from the write rate.</param>
/// <param name="ItemBytes">Size of an item as DynamoDB meters it (for the native integration's capture units); null to use <paramref name="RecordBytes"/>, an upper bound.</param>
/// <param name="KeyBytes">Length of a partition key; Kinesis counts it with the data.</param>
internal sealed record Workload(
    double WritesPerSecond,
    double RecordBytes,
    double? ConsumerRecordsPerSecond = null,
    long? Keys = null,
    double? HotKeyShare = null,
    RecordAggregation Aggregation = RecordAggregation.None,
    int? SourceShards = null,
    double? ItemBytes = null,
    double KeyBytes = Workload.DefaultKeyBytes,
    double Headroom = BridgeCapacity.HashSkewHeadroom)
{
    public const double DefaultKeyBytes = 16;

    /// <summary>Every problem with the numbers, one line each (empty when they can be planned for).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!(WritesPerSecond > 0))
        {
            problems.Add("--writes-per-second must be greater than 0.");
        }

        if (!(RecordBytes > 0))
        {
            problems.Add("--record-bytes must be greater than 0.");
        }

        if (ConsumerRecordsPerSecond is { } consumer && !(consumer > 0))
        {
            problems.Add("--consumer-records-per-second must be greater than 0.");
        }

        if (Keys is < 1)
        {
            problems.Add("--keys must be at least 1.");
        }

        if (HotKeyShare is { } share && !(share is > 0 and <= 1))
        {
            problems.Add("--hot-key-share must be in (0, 1], e.g. 0.05 for 5 %.");
        }

        if (SourceShards is < 1)
        {
            problems.Add("--source-shards must be at least 1.");
        }

        if (!(Headroom is >= 0 and < 1))
        {
            problems.Add("--headroom must be in [0, 1), e.g. 0.15.");
        }

        return problems;
    }
}
