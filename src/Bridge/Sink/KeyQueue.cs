namespace Bridge.Sink;

/// <summary>The records of one order key (<see cref="OutboundRecord.OrderKey"/>, usually the partition key) waiting for Kinesis, oldest first.</summary>
/// <remarks>
/// Only the head may be in flight (alone, or as the first of an aggregate with the records right behind it), and
/// nothing after it leaves until it is acknowledged: that is the whole per-key order guarantee. Guarded by the sink's lock.
/// </remarks>
internal sealed class KeyQueue(string orderKey)
{
    private readonly Queue<OutboundRecord> _records = new();

    public string OrderKey { get; } = orderKey;

    /// <summary>True from the moment the head (alone or in an aggregate) is put in a batch until it is acknowledged, or its retry delay has passed.</summary>
    public bool HeadInFlight { get; set; }

    /// <summary>This key's node in the sink's ready list, or null when the key is not ready (empty or head in flight).</summary>
    public LinkedListNode<KeyQueue>? ReadyNode { get; set; }

    public int Count => _records.Count;

    /// <summary>The queued records, head first (a struct enumerator: walking it allocates nothing).</summary>
    public Queue<OutboundRecord>.Enumerator GetEnumerator() => _records.GetEnumerator();

    public OutboundRecord Head => _records.Peek();

    public void Enqueue(OutboundRecord record) => _records.Enqueue(record);

    public OutboundRecord Dequeue() => _records.Dequeue();
}
