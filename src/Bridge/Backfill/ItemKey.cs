using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Routing;

namespace Bridge.Backfill;

/// <summary>An item's identity across snapshot records and stream records: a 128-bit hash of its key attributes
/// (<c>dynamodb.Keys</c>), the same whichever record, scan or stream, carried them.</summary>
/// <remarks>
/// Each key attribute is hashed as (name, type, value) and the attributes are combined with XOR, so the order in which a
/// record lists them does not matter. Values are taken as DynamoDB compares them: an S by its characters (JSON escapes
/// undone), an N by its canonical spelling (<see cref="CanonicalNumber"/>), a B by its bytes (base64 undone). 128 bits
/// make a collision between two items of one table (which would let one item's snapshot suppress another's change)
/// about 10^-20 likely for a billion items.
/// </remarks>
internal static class ItemKey
{
    /// <summary>Longer than any number DynamoDB stores (38 digits, an exponent, signs); a longer text is hashed as it is.</summary>
    private const int MaxNumberLength = 64;

    /// <summary>The key of the record's item; false when the record has no <c>dynamodb.Keys</c> or they are malformed
    /// (such a record is reported by routing, not here).</summary>
    public static bool TryRead(ReadOnlySpan<byte> recordJson, out UInt128 key)
    {
        key = default;
        try
        {
            var reader = new Utf8JsonReader(recordJson, StreamRecordShape.ReaderOptions);
            if (!StreamRecordShape.TryEnterDynamoDb(ref reader) || !StreamRecordKeys.TryEnterKeys(ref reader))
            {
                return false;
            }

            var any = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var nameSeed = (long)XxHash64.HashToUInt64(Unescaped(ref reader));
                var type = StreamRecordShape.EnterAttributeValue(ref reader);
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                key ^= HashValue(ref reader, type, nameSeed + (long)type);
                StreamRecordShape.ExitAttributeValue(ref reader);
                any = true;
            }

            return any;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    private static UInt128 HashValue(ref Utf8JsonReader reader, AttributeType type, long seed)
    {
        switch (type)
        {
            case AttributeType.N:
                var text = Unescaped(ref reader);
                Span<byte> canonical = stackalloc byte[CanonicalNumber.MaxOutputLength(MaxNumberLength)];
                return text.Length <= MaxNumberLength && CanonicalNumber.TryWrite(text, canonical, out var written)
                    ? XxHash128.HashToUInt128(canonical[..written], seed)
                    : XxHash128.HashToUInt128(text, seed);
            case AttributeType.B:
                return XxHash128.HashToUInt128(reader.GetBytesFromBase64(), seed);
            default:
                return XxHash128.HashToUInt128(Unescaped(ref reader), seed);
        }
    }

    /// <summary>The current token's text with JSON escapes undone; escapes are rare in keys, so only they allocate.</summary>
    private static ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader) =>
        !reader.ValueIsEscaped && !reader.HasValueSequence ? reader.ValueSpan : Encoding.UTF8.GetBytes(reader.GetString()!);
}

/// <summary>An <see cref="ItemKey"/> as two 64-bit halves: 8-byte aligned, so a dictionary entry takes 32 bytes where a
/// <see cref="UInt128"/> key (16-byte aligned) takes 48.</summary>
internal readonly record struct ItemHash(ulong Low, ulong High)
{
    public ItemHash(UInt128 key)
        : this((ulong)key, (ulong)(key >> 64))
    {
    }
}

/// <summary>What an <see cref="ItemOrderGate"/> needs of a record besides its order value: its item, and whether it removes
/// it. A <c>REMOVE</c> carries the order value of the state it deletes (its <c>OldImage</c>'s), yet comes after that state.</summary>
internal readonly record struct GatedItem(UInt128 Key, bool Removes)
{
    /// <summary>The record's item; false when it has no readable <c>dynamodb.Keys</c>.</summary>
    public static bool TryRead(in StreamRecord record, out GatedItem item)
    {
        var read = ItemKey.TryRead(record.Json.Span, out var key);
        item = new GatedItem(key, record.EventName == "REMOVE");
        return read;
    }
}
