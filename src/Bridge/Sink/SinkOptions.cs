using System.ComponentModel.DataAnnotations;

namespace Bridge.Sink;

/// <summary>How the sink batches, paces and retries PutRecords to the target stream.</summary>
public sealed class SinkOptions
{
    /// <summary>Entries per PutRecords request (the API allows 500).</summary>
    [Range(1, 500)]
    public int MaxBatchEntries { get; set; } = 500;

    /// <summary>Bytes per PutRecords request, data plus partition keys (the API allows 5 MiB).</summary>
    [Range(1, 5 * 1024 * 1024)]
    public int MaxBatchBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Largest record, data plus partition key: 1 MiB by default; streams configured for larger records allow up to 10 MiB.</summary>
    [Range(1, 10 * 1024 * 1024)]
    public int MaxRecordBytes { get; set; } = 1024 * 1024;

    /// <summary>PutRecords requests in flight at once.</summary>
    [Range(1, 256)]
    public int MaxConcurrentRequests { get; set; } = 8;

    /// <summary>Entries in flight per target shard at the start; halved on throttling, grown on success.</summary>
    [Range(1, 100_000)]
    public int InitialShardWindow { get; set; } = 500;

    [Range(1, 100_000)]
    public int MinShardWindow { get; set; } = 1;

    [Range(1, 100_000)]
    public int MaxShardWindow { get; set; } = 2000;

    [Range(0, 100_000)]
    public int ShardWindowIncrease { get; set; } = 25;

    /// <summary>First retry delay of a failed entry; doubles per failure up to <see cref="RetryMaxDelay"/>, with full jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the target's shard map is re-read, to follow resharding.</summary>
    public TimeSpan ShardMapRefreshInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Records read but not yet acknowledged, over all shards: reading pauses above this.</summary>
    [Range(1, 10_000_000)]
    public int MaxInFlightRecords { get; set; } = 100_000;

    [Range(1, long.MaxValue)]
    public long MaxInFlightBytes { get; set; } = 256L * 1024 * 1024;
}
