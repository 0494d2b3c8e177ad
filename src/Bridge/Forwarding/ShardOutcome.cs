namespace Bridge.Forwarding;

/// <summary>Why a shard consumer returned.</summary>
public enum ShardOutcome
{
    /// <summary>SHARD_END reached, every record acknowledged and SHARD_END checkpointed: children may start.</summary>
    Ended,

    /// <summary>Asked to stop; drained and checkpointed as far as acknowledged.</summary>
    Stopped,

    /// <summary>Stopped before an undeliverable record (<see cref="UndeliverableAction.Block"/>); stays stopped until restarted by an operator.</summary>
    Blocked,

    /// <summary>The shard's lease was lost (taken by another worker, or not renewed in time): stopped at once, nothing checkpointed.</summary>
    LeaseLost,
}
