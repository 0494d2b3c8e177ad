namespace Bridge.Aws.Kinesis;

/// <summary>The data of one Kinesis record, as one or two runs of bytes sent back to back.</summary>
/// <remarks>
/// Two parts let a caller send a slice of a larger buffer followed by bytes of its own without copying either: the
/// bridge sends each stream record as it came in the GetRecords answer, with its closing brace replaced by added fields.
/// </remarks>
public readonly struct RecordData
{
    public RecordData(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> tail = default)
    {
        Head = head;
        Tail = tail;
    }

    public ReadOnlyMemory<byte> Head { get; }

    public ReadOnlyMemory<byte> Tail { get; }

    public int Length => Head.Length + Tail.Length;

    public static implicit operator RecordData(byte[] data) => new(data);

    public static implicit operator RecordData(ReadOnlyMemory<byte> data) => new(data);

    /// <summary>The data in one piece: a copy when it has two parts.</summary>
    public ReadOnlyMemory<byte> ToMemory() => Tail.IsEmpty ? Head : ToArray();

    public byte[] ToArray()
    {
        var bytes = GC.AllocateUninitializedArray<byte>(Length);
        Head.Span.CopyTo(bytes);
        Tail.Span.CopyTo(bytes.AsSpan(Head.Length));
        return bytes;
    }
}
