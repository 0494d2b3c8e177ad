namespace Bridge.Host.Operator.Plan;

/// <summary>What <see cref="StreamSampler"/> saw on a table's stream over a window.</summary>
/// <param name="RecordsWithoutKey">Records in which the key attribute was missing or unusable: the bridge would treat
/// them by <c>Bridge:OnUndeliverable</c>.</param>
/// <param name="HottestKeys">The busiest keys, busiest first, with their record counts.</param>
/// <param name="ClosedDuringSample">Shards that reached SHARD_END in the window (a split); their children were not read.</param>
internal sealed record WorkloadSample(
    string TableName,
    string StreamArn,
    string KeyAttribute,
    double Seconds,
    int OpenShards,
    long Records,
    long RecordBytes,
    long ItemBytes,
    long KeyBytes,
    long RecordsWithoutKey,
    long DistinctKeys,
    IReadOnlyList<KeyCount> HottestKeys,
    int ClosedDuringSample)
{
    public double RecordsPerSecond => Records / Seconds;

    public double MeanRecordBytes => Records == 0 ? 0 : (double)RecordBytes / Records;

    public double MeanItemBytes => Records == 0 ? 0 : (double)ItemBytes / Records;

    public double MeanKeyBytes => Records == 0 ? Workload.DefaultKeyBytes : (double)KeyBytes / Records;

    /// <summary>The hottest key's share of the records, or null when none was seen.</summary>
    public double? HotKeyShare => HottestKeys.Count == 0 || Records == 0 ? null : (double)HottestKeys[0].Records / Records;
}

internal sealed record KeyCount(string Key, long Records)
{
    public double ShareOf(long total) => total == 0 ? 0 : (double)Records / total;
}
