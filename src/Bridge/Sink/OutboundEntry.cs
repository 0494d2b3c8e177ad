using Bridge.Aws.Kinesis;

namespace Bridge.Sink;

/// <summary>One entry of a PutRecords request: the head of a key's queue alone, or it and the records after it as one
/// KPL aggregate. Kinesis accepts or refuses an entry as a whole, so an aggregate keeps its records in order.</summary>
internal readonly struct OutboundEntry
{
    private readonly OutboundRecord[]? _run;

    public OutboundEntry(OutboundRecord head)
    {
        Head = head;
        Size = head.Size;
    }

    /// <param name="run">The first records of one key's queue, head first, more than one.</param>
    /// <param name="size">The aggregate's data plus partition key bytes.</param>
    public OutboundEntry(OutboundRecord[] run, int size)
    {
        Head = run[0];
        _run = run;
        Size = size;
    }

    public OutboundRecord Head { get; }

    /// <summary>Records carried: 1, or the aggregate's.</summary>
    public int Count => _run?.Length ?? 1;

    public OutboundRecord this[int index] => _run?[index] ?? Head;

    /// <summary>What Kinesis counts against its record and request limits: data plus partition key bytes.</summary>
    public int Size { get; }

    public string PartitionKey => Head.PartitionKey;

    public string OrderKey => Head.OrderKey;

    /// <summary>The entry's data; an aggregate is written here, outside the sink's lock.</summary>
    public RecordData Data() => _run is null ? Head.Data : KplAggregate.Write(Head.PartitionKey, _run);
}
