namespace Bridge.Ordering;

/// <summary>Section <c>Bridge:Ordering</c>: whose order the output keeps per partition key.</summary>
public sealed class OrderingOptions
{
    /// <summary><see cref="OrderingMode.Shard"/> (default) or <see cref="OrderingMode.Merge"/>.</summary>
    public OrderingMode Mode { get; set; } = OrderingMode.Shard;

    /// <summary>Merge mode: how far behind "now" a shard read to its tip is taken to be complete: the allowance for
    /// writer clock skew and for DynamoDB Streams' delay in publishing a change. Every idle shard holds the release of
    /// merged records back by this much, so it is also the latency price of Merge mode while the sources are at their tip.</summary>
    public TimeSpan Lateness { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Merge mode: what happens to a record whose order value is below one already released for its key.</summary>
    public LateRecordAction OnLate { get; set; } = LateRecordAction.Emit;

    public bool IsMerge => Mode == OrderingMode.Merge;
}

public enum OrderingMode
{
    /// <summary>Per key, the order of one source shard lineage (the table's own per-item order); no waiting.</summary>
    Shard,

    /// <summary>Per key, the order of the records' order values across every shard of every source, released behind a watermark.</summary>
    Merge,
}

public enum LateRecordAction
{
    /// <summary>Send it anyway, in the order it arrived; counted (<c>bridge.ordering.late_records</c>) and logged.</summary>
    Emit,

    /// <summary>Send it to the dead-letter stream instead, wrapped with the reason; counted and logged.</summary>
    DeadLetter,
}
