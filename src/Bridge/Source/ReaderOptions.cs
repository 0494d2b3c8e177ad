using System.ComponentModel.DataAnnotations;

namespace Bridge.Source;

/// <summary>How each source shard is polled.</summary>
public sealed class ReaderOptions
{
    /// <summary>Records asked for per GetRecords call (the API allows 1000).</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 1000;

    /// <summary>Least time between the starts of two GetRecords calls on one shard that is keeping up: after a page
    /// under GetRecords' caps (fewer records than <see cref="BatchSize"/>, well under 1 MB).</summary>
    /// <remarks>Ignored while the shard has a backlog: after a page at a cap the next call goes out at once. DynamoDB
    /// Streams sets no per-second call limit (its limit is two readers per shard at once), but each call is billed as a
    /// read request, so this bounds the cost and the added latency of a trickling shard.</remarks>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Wait after an empty answer, while a shard is quiet; bounds the latency a quiet shard adds.</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Records one shard may have read and not yet had acknowledged; reading pauses above it.</summary>
    [Range(1, 1_000_000)]
    public int MaxInFlightRecordsPerShard { get; set; } = 10_000;

    /// <summary>Bytes of records one shard may hold between its last checkpointable record and the last one read
    /// (acknowledged or not: they keep their GetRecords answer in memory); reading pauses above it.</summary>
    [Range(1, long.MaxValue)]
    public long MaxInFlightBytesPerShard { get; set; } = 64L * 1024 * 1024;
}
