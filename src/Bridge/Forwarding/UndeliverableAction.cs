namespace Bridge.Forwarding;

/// <summary>What happens to a record that cannot be forwarded (no key attribute, larger than the target allows, malformed).</summary>
public enum UndeliverableAction
{
    /// <summary>Stop the shard before the record and alarm: nothing passes it until an operator acts. The safe default.</summary>
    Block,

    /// <summary>Log it (table, keys, sequence number), count it, and let the checkpoint pass it.</summary>
    Skip,

    /// <summary>Write it, wrapped with the reason, to the dead-letter Kinesis stream; the checkpoint passes it once that write is acknowledged.</summary>
    DeadLetter,
}
