using Bridge.Aws.DynamoDbStreams;
using Bridge.Backfill;
using Bridge.Sink;

namespace Bridge.Ordering;

/// <summary>One shard consumer's way into the <see cref="MergeStage"/>: what Merge mode adds to read → route → sink.</summary>
/// <param name="gate">The source's <see cref="ItemOrderGate"/> (with <c>OrderBy</c>): released records pass it while an
/// on-demand backfill runs.</param>
internal sealed class MergeInlet(MergeStage stage, ShardFrontier frontier, OrderValueSelector orderBy, ItemOrderGate? gate)
{
    public bool TrySelectOrderValue(in StreamRecord record, out long epochMilliseconds, out string? problem) =>
        orderBy.TrySelect(record, out epochMilliseconds, out problem);

    /// <summary>The record's item, when the gate may have to check it at release (an on-demand run may start meanwhile).</summary>
    public GatedItem? ItemOf(in StreamRecord record) =>
        gate is not null && GatedItem.TryRead(record, out var item) ? item : null;

    /// <summary>Holds a record its shard's progress has just registered, until the watermark reaches it; then it is
    /// appended to <paramref name="destination"/>, or only acknowledged when that is null (a record deliberately not
    /// forwarded). Without an order value it goes at its shard's turn (the shard's frontier).</summary>
    public void Hold(OutboundRecord record, KinesisSink? destination, long? orderValue) => stage.Hold(frontier, record, destination, orderValue, gate);

    /// <summary>A read that started at <paramref name="readStartedAt"/> found the shard at its tip.</summary>
    public void OnCaughtUp(DateTimeOffset readStartedAt) => stage.OnCaughtUp(frontier, readStartedAt);

    /// <summary>The shard stops before its end: what it still holds was never sent, so it is taken back.</summary>
    public void Withdraw() => stage.Withdraw(frontier);

    /// <summary>Cancelled when the round is lost: its records still unsent will never be acknowledged.</summary>
    public CancellationToken RoundLost => stage.RoundLost;

    /// <summary>The shard's lease is lost: the round is lost with it.</summary>
    public void OnShardLost() => stage.OnShardLost();
}
