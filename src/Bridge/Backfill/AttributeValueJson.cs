using System.Buffers;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;

namespace Bridge.Backfill;

/// <summary>DynamoDB's JSON form of attribute values (<c>{"S":"x"}</c>, <c>{"N":"1"}</c>, <c>{"M":{…}}</c>…), the form stream records carry items in.</summary>
internal static class AttributeValueJson
{
    public static void WriteMap(Utf8JsonWriter writer, Dictionary<string, AttributeValue> map)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in map)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>A key (<c>LastEvaluatedKey</c>) as a JSON string, to store as a segment's checkpoint.</summary>
    public static string FormatKey(Dictionary<string, AttributeValue> key)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteMap(writer, key);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The key <see cref="FormatKey"/> wrote. Key attributes are S, N or B only.</summary>
    /// <exception cref="FormatException">The text is not such a key.</exception>
    public static Dictionary<string, AttributeValue> ParseKey(string json)
    {
        using var document = JsonDocument.Parse(json);
        var key = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        foreach (var attribute in document.RootElement.EnumerateObject())
        {
            var typed = attribute.Value.EnumerateObject().Single();
            key[attribute.Name] = typed.Name switch
            {
                "S" => new AttributeValue { S = typed.Value.GetString() },
                "N" => new AttributeValue { N = typed.Value.GetString() },
                "B" => new AttributeValue { B = new MemoryStream(typed.Value.GetBytesFromBase64()) },
                _ => throw new FormatException($"A key attribute is S, N or B, not {typed.Name} ('{attribute.Name}')."),
            };
        }

        return key;
    }

    public static void WriteValue(Utf8JsonWriter writer, AttributeValue value)
    {
        writer.WriteStartObject();
        if (value.S is not null)
        {
            writer.WriteString("S"u8, value.S);
        }
        else if (value.N is not null)
        {
            writer.WriteString("N"u8, value.N);
        }
        else if (value.B is not null)
        {
            writer.WriteBase64String("B"u8, Bytes(value.B));
        }
        else if (value.BOOL is { } flag)
        {
            writer.WriteBoolean("BOOL"u8, flag);
        }
        else if (value.NULL == true)
        {
            writer.WriteBoolean("NULL"u8, true);
        }
        else if (value.M is not null)
        {
            writer.WritePropertyName("M"u8);
            WriteMap(writer, value.M);
        }
        else if (value.L is not null)
        {
            writer.WriteStartArray("L"u8);
            foreach (var element in value.L)
            {
                WriteValue(writer, element);
            }

            writer.WriteEndArray();
        }
        else if (value.SS is { Count: > 0 })
        {
            WriteStrings(writer, "SS"u8, value.SS);
        }
        else if (value.NS is { Count: > 0 })
        {
            WriteStrings(writer, "NS"u8, value.NS);
        }
        else if (value.BS is { Count: > 0 })
        {
            writer.WriteStartArray("BS"u8);
            foreach (var element in value.BS)
            {
                writer.WriteBase64StringValue(Bytes(element));
            }

            writer.WriteEndArray();
        }
        else
        {
            throw new FormatException("An attribute value of no known type (S, N, B, BOOL, NULL, M, L, SS, NS, BS).");
        }

        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, ReadOnlySpan<byte> type, List<string> values)
    {
        writer.WriteStartArray(type);
        foreach (var element in values)
        {
            writer.WriteStringValue(element);
        }

        writer.WriteEndArray();
    }

    private static ReadOnlySpan<byte> Bytes(MemoryStream stream) =>
        stream.TryGetBuffer(out var buffer) ? buffer.AsSpan() : stream.ToArray();

    /// <summary>An item's size as DynamoDB counts it, near enough for progress and read-unit estimates: names plus values.</summary>
    public static long EstimateSize(Dictionary<string, AttributeValue> item)
    {
        long size = 0;
        foreach (var (name, value) in item)
        {
            size += System.Text.Encoding.UTF8.GetByteCount(name) + EstimateSize(value);
        }

        return size;
    }

    private static long EstimateSize(AttributeValue value) =>
        value.S is not null ? System.Text.Encoding.UTF8.GetByteCount(value.S)
        : value.N is not null ? 1 + ((value.N.Length + 1) / 2)
        : value.B is not null ? value.B.Length
        : value.M is not null ? 3 + EstimateSize(value.M)
        : value.L is not null ? 3 + value.L.Sum(v => 1 + EstimateSize(v))
        : value.SS is not null ? value.SS.Sum(s => (long)System.Text.Encoding.UTF8.GetByteCount(s))
        : value.NS is not null ? value.NS.Sum(n => 1 + ((n.Length + 1) / 2))
        : value.BS is not null ? value.BS.Sum(b => b.Length)
        : 1;
}
