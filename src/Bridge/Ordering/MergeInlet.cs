using Bridge.Aws.DynamoDbStreams;
using Bridge.Sink;

namespace Bridge.Ordering;

/// <summary>One shard consumer's way into the <see cref="MergeStage"/>: what Merge mode adds to read → route → sink.</summary>
internal sealed class MergeInlet(MergeStage stage, ShardFrontier frontier, OrderValueSelector orderBy)
{
    public bool TrySelectOrderValue(in StreamRecord record, out long epochMilliseconds, out string? problem) =>
        orderBy.TrySelect(record, out epochMilliseconds, out problem);

    /// <summary>Holds a record its shard's progress has just registered, until the watermark reaches it; then it is
    /// appended to <paramref name="destination"/>, or only acknowledged when that is null (a record deliberately not
    /// forwarded). Without an order value it goes at its shard's turn (the shard's frontier).</summary>
    public void Hold(OutboundRecord record, KinesisSink? destination, long? orderValue) => stage.Hold(frontier, record, destination, orderValue);

    /// <summary>A read that started at <paramref name="readStartedAt"/> found the shard at its tip.</summary>
    public void OnCaughtUp(DateTimeOffset readStartedAt) => stage.OnCaughtUp(frontier, readStartedAt);

    /// <summary>The shard stops before its end: what it still holds was never sent, so it is taken back.</summary>
    public void Withdraw() => stage.Withdraw(frontier);

    /// <summary>Cancelled when the round is lost: its records still unsent will never be acknowledged.</summary>
    public CancellationToken RoundLost => stage.RoundLost;

    /// <summary>The shard's lease is lost: the round is lost with it.</summary>
    public void OnShardLost() => stage.OnShardLost();
}
