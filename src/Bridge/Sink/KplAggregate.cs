using System.Security.Cryptography;
using System.Text;

namespace Bridge.Sink;

/// <summary>
/// The Kinesis Producer Library's aggregated record: several records of one partition key in one Kinesis record,
/// which the KCL, Firehose, Flink's Kinesis source and the kinesis-aggregation libraries (for Lambda) take apart again.
/// </summary>
/// <remarks>
/// Layout (github.com/awslabs/amazon-kinesis-producer, aggregation-format.md): the magic bytes <c>F3 89 9A C2</c>,
/// a protobuf <c>AggregatedRecord</c>, and the MD5 of that protobuf. The bridge writes a one-entry partition key
/// table (every record of an aggregate has the aggregate's key, so a consumer that re-checks hash ranges after a
/// reshard keeps them all), no explicit hash keys and no tags. The protobuf is written by hand: it is four fields.
/// </remarks>
internal static class KplAggregate
{
    public static ReadOnlySpan<byte> Magic => [0xF3, 0x89, 0x9A, 0xC2];

    private const int ChecksumBytes = 16;

    // Protobuf tags: field number << 3 | wire type (0 varint, 2 length-delimited).
    private const byte PartitionKeyTableTag = (1 << 3) | 2;
    private const byte RecordsTag = (3 << 3) | 2;
    private const byte PartitionKeyIndexTag = (1 << 3) | 0;
    private const byte DataTag = (3 << 3) | 2;

    /// <summary>Bytes of an aggregate that holds no record yet: magic, the partition key table, checksum.</summary>
    public static int EmptyLength(int partitionKeyBytes) =>
        Magic.Length + 1 + VarintLength((uint)partitionKeyBytes) + partitionKeyBytes + ChecksumBytes;

    /// <summary>Bytes one record of <paramref name="dataBytes"/> adds to an aggregate.</summary>
    public static int RecordLength(int dataBytes)
    {
        var record = RecordMessageLength(dataBytes);
        return 1 + VarintLength((uint)record) + record;
    }

    /// <summary>The aggregate of <paramref name="records"/>, all of key <paramref name="partitionKey"/>, in one array.</summary>
    public static byte[] Write(string partitionKey, ReadOnlySpan<OutboundRecord> records)
    {
        var keyBytes = Encoding.UTF8.GetByteCount(partitionKey);
        var length = EmptyLength(keyBytes);
        foreach (var record in records)
        {
            length += RecordLength(record.Data.Length);
        }

        var buffer = GC.AllocateUninitializedArray<byte>(length);
        var span = buffer.AsSpan();
        Magic.CopyTo(span);
        var at = Magic.Length;
        span[at++] = PartitionKeyTableTag;
        at += WriteVarint(span[at..], (uint)keyBytes);
        at += Encoding.UTF8.GetBytes(partitionKey, span[at..]);
        foreach (var record in records)
        {
            var data = record.Data;
            span[at++] = RecordsTag;
            at += WriteVarint(span[at..], (uint)RecordMessageLength(data.Length));
            span[at++] = PartitionKeyIndexTag;
            span[at++] = 0;
            span[at++] = DataTag;
            at += WriteVarint(span[at..], (uint)data.Length);
            data.Head.Span.CopyTo(span[at..]);
            at += data.Head.Length;
            data.Tail.Span.CopyTo(span[at..]);
            at += data.Tail.Length;
        }

        MD5.HashData(span[Magic.Length..at], span[at..]);
        return buffer;
    }

    /// <summary>Protobuf <c>Record</c>: key index 0 (tag and one byte), then the data field.</summary>
    private static int RecordMessageLength(int dataBytes) => 2 + 1 + VarintLength((uint)dataBytes) + dataBytes;

    private static int VarintLength(uint value) => value switch
    {
        < 1u << 7 => 1,
        < 1u << 14 => 2,
        < 1u << 21 => 3,
        < 1u << 28 => 4,
        _ => 5,
    };

    private static int WriteVarint(Span<byte> destination, uint value)
    {
        var i = 0;
        for (; value >= 0x80; value >>= 7)
        {
            destination[i++] = (byte)(value | 0x80);
        }

        destination[i++] = (byte)value;
        return i;
    }
}
