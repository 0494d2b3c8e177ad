using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Google.Protobuf;

namespace Bridge.Testing;

/// <summary>Takes a Kinesis record apart as a KPL-aware consumer does (the KCL, or kinesis-aggregation in a Lambda):
/// an aggregate into its user records, anything else as one record. Written against the published format with
/// Google's protobuf reader, independently of the bridge's writer.</summary>
public static class KplDeaggregator
{
    private static readonly byte[] Magic = [0xF3, 0x89, 0x9A, 0xC2];

    public static bool IsAggregate(ReadOnlySpan<byte> data) => data.Length > Magic.Length + 16 && data.StartsWith(Magic);

    /// <summary>How many user records <paramref name="data"/> carries, without checking the checksum: for counting on a hot path.</summary>
    public static int CountRecords(ReadOnlyMemory<byte> data)
    {
        if (!IsAggregate(data.Span))
        {
            return 1;
        }

        // Read in place: this runs inside the benchmarks' measured catch-ups.
        var message = data[Magic.Length..^16];
        var input = MemoryMarshal.TryGetArray(message, out var segment)
            ? new CodedInputStream(segment.Array!, segment.Offset, segment.Count)
            : new CodedInputStream(message.ToArray());
        var count = 0;
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 3)
            {
                count++;
            }

            input.SkipLastField();
        }

        return count;
    }

    /// <summary>The user records in <paramref name="data"/>, each with its partition key; throws on a bad checksum or message.</summary>
    public static IReadOnlyList<(string PartitionKey, byte[] Data)> Deaggregate(string partitionKey, byte[] data)
    {
        if (!IsAggregate(data))
        {
            return [(partitionKey, data)];
        }

        var message = data.AsSpan(Magic.Length, data.Length - Magic.Length - 16);
        var checksum = data.AsSpan(data.Length - 16);
        if (!MD5.HashData(message).AsSpan().SequenceEqual(checksum))
        {
            throw new InvalidDataException("KPL aggregate with a wrong MD5 checksum.");
        }

        var keys = new List<string>();
        var records = new List<(ulong KeyIndex, byte[] Data)>();
        var input = new CodedInputStream(message.ToArray());
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    keys.Add(input.ReadString());
                    break;
                case 3:
                    records.Add(ReadRecord(input.ReadBytes()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return [.. records.Select(r => (keys[checked((int)r.KeyIndex)], r.Data))];
    }

    private static (ulong KeyIndex, byte[] Data) ReadRecord(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        ulong? keyIndex = null;
        byte[]? data = null;
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    keyIndex = input.ReadUInt64();
                    break;
                case 3:
                    data = input.ReadBytes().ToByteArray();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (keyIndex ?? throw new InvalidDataException("Record without partition_key_index."), data ?? throw new InvalidDataException("Record without data."));
    }
}
