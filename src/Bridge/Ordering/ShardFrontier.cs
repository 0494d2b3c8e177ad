using Bridge.Sink;
using Bridge.Source;

namespace Bridge.Ordering;

/// <summary>One source shard's place in the merge: how far its order values have got, and its records waiting for
/// the watermark. Every field is guarded by the <see cref="MergeStage"/>'s lock.</summary>
internal sealed class ShardFrontier(SourceShard shard, string key, string? parentKey)
{
    public SourceShard Shard { get; } = shard;

    /// <summary><c>streamArn|shardId</c>, the shard's lease key.</summary>
    public string Key { get; } = key;

    /// <summary>The parent's key. While the parent is tracked this shard cannot produce records yet, so it does not
    /// count in the watermark: the parent's frontier stands for both.</summary>
    public string? ParentKey { get; } = parentKey;

    /// <summary>The highest effective order value read from the shard, raised to <c>read time − Lateness</c> when a read
    /// finds the shard at its tip; <see cref="long.MinValue"/> before either. Never goes back.</summary>
    public long Value { get; set; } = long.MinValue;

    /// <summary>In the stage's heap of shards with held records (possibly with a stale priority after a withdrawal).</summary>
    public bool Queued { get; set; }

    /// <summary>Records registered in the shard's progress and not yet released, in stream order with non-decreasing
    /// effective values: always the tail of what the shard registered.</summary>
    public Queue<HeldRecord> Held { get; } = new();
}

/// <param name="Destination">The sink it goes to when released; null: only acknowledged (deliberately not forwarded).</param>
/// <param name="Effective">The order value the merge sorts by: at least every earlier value of the same shard.</param>
/// <param name="Raw">The record's own order value, which lateness is judged by.</param>
/// <param name="Arrival">Order of arrival in the stage, breaking ties of <paramref name="Effective"/>.</param>
/// <param name="Gate">Its source's <see cref="Backfill.ItemOrderGate"/>, which it passes when released while an on-demand backfill runs.</param>
internal readonly record struct HeldRecord(OutboundRecord Record, KinesisSink? Destination, long Effective, long Raw, long Arrival, Backfill.ItemOrderGate? Gate);
