namespace Bridge.Sink;

/// <summary>Packs a key's queued records, oldest first, into one KPL aggregate of at most <see cref="MaxBytes"/>.</summary>
/// <remarks>
/// An aggregate is still one entry of one key in flight, so the order rule is unchanged ("one in-flight batch per
/// key"); what changes is that a key moves up to <see cref="MaxBytes"/> per PutRecords round trip instead of one
/// record. A lone record is sent as it is, as the KPL does, so a quiet key's records look the same either way.
/// </remarks>
internal sealed class KplAggregation(int maxBytes)
{
    /// <summary>Largest aggregate, data plus partition key, as Kinesis counts a record.</summary>
    public int MaxBytes { get; } = maxBytes;

    /// <summary>The entry that sends <paramref name="queue"/>'s head, with as many of the records behind it as fit.</summary>
    /// <remarks>Stops at a record whose shard's lease was lost (it is dropped when it reaches the head, not sent), and at
    /// one of another partition key.</remarks>
    public OutboundEntry Pack(KeyQueue queue)
    {
        var head = queue.Head;
        if (queue.Count == 1)
        {
            return new OutboundEntry(head);
        }

        var keyBytes = head.Size - head.Data.Length;
        var size = keyBytes + KplAggregate.EmptyLength(keyBytes);
        var count = 0;
        foreach (var record in queue)
        {
            var grown = size + KplAggregate.RecordLength(record.Data.Length);
            // One aggregate, one partition key: a queue whose order key is not its partition key can hold several.
            if ((count > 0 && (record.Progress.IsAbandoned || !string.Equals(record.PartitionKey, head.PartitionKey, StringComparison.Ordinal))) || grown > MaxBytes)
            {
                break;
            }

            size = grown;
            count++;
        }

        if (count <= 1)
        {
            return new OutboundEntry(head);
        }

        var run = new OutboundRecord[count];
        var i = 0;
        foreach (var record in queue)
        {
            if (i == count)
            {
                break;
            }

            run[i++] = record;
        }

        return new OutboundEntry(run, size);
    }
}
