using System.Buffers;
using System.Text.Json;

namespace Bridge.Aws.DynamoDbStreams;

/// <summary>Decodes a DynamoDB Streams <c>GetRecords</c> answer in one forward pass over the response bytes.</summary>
/// <remarks>
/// Each record keeps its JSON as a slice of <paramref name="body"/> (which must therefore not be reused) and reads only
/// the four fields the engine routes and checkpoints on; everything else is skipped unparsed. Per record this costs the
/// sequence-number string and the record's slot in the result array: event names are the shared constants.
/// </remarks>
internal static class StreamRecordsDecoder
{
    public const string Insert = "INSERT";
    public const string Modify = "MODIFY";
    public const string Remove = "REMOVE";

    public static GetRecordsPage Decode(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        Expect(ref reader, JsonTokenType.StartObject);
        StreamRecord[] records = [];
        string? next = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Records"))
            {
                reader.Read();
                records = ReadRecords(ref reader, body);
            }
            else if (reader.ValueTextEquals("NextShardIterator"))
            {
                reader.Read();
                next = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new GetRecordsPage(records, next);
    }

    private static StreamRecord[] ReadRecords(ref Utf8JsonReader reader, byte[] body)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        Expect(reader.TokenType, JsonTokenType.StartArray);
        // Records are gathered in a pooled array so the only array allocated is the exact-size result.
        var pooled = ArrayPool<StreamRecord>.Shared.Rent(256);
        var count = 0;
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                if (count == pooled.Length)
                {
                    var larger = ArrayPool<StreamRecord>.Shared.Rent(count * 2);
                    pooled.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<StreamRecord>.Shared.Return(pooled, clearArray: true);
                    pooled = larger;
                }

                pooled[count++] = ReadRecord(ref reader, body);
            }

            return pooled.AsSpan(0, count).ToArray();
        }
        finally
        {
            // Cleared so the pool does not keep response buffers alive through the records' Json slices.
            ArrayPool<StreamRecord>.Shared.Return(pooled, clearArray: true);
        }
    }

    private static StreamRecord ReadRecord(ref Utf8JsonReader reader, byte[] body)
    {
        var start = (int)reader.TokenStartIndex;
        string? eventName = null, sequenceNumber = null;
        double createdSeconds = 0;
        long sizeBytes = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("eventName"))
            {
                reader.Read();
                eventName = ReadEventName(ref reader);
            }
            else if (reader.ValueTextEquals("dynamodb"))
            {
                reader.Read();
                Expect(reader.TokenType, JsonTokenType.StartObject);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("SequenceNumber"))
                    {
                        reader.Read();
                        sequenceNumber = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("ApproximateCreationDateTime"))
                    {
                        reader.Read();
                        createdSeconds = reader.GetDouble();
                    }
                    else if (reader.ValueTextEquals("SizeBytes"))
                    {
                        reader.Read();
                        sizeBytes = reader.GetInt64();
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        Expect(reader.TokenType, JsonTokenType.EndObject);
        var length = (int)reader.BytesConsumed - start;
        return new StreamRecord(
            new ReadOnlyMemory<byte>(body, start, length),
            sequenceNumber ?? throw new JsonException("A stream record has no dynamodb.SequenceNumber."),
            eventName ?? throw new JsonException("A stream record has no eventName."),
            DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(createdSeconds * 1000)),
            sizeBytes);
    }

    private static string? ReadEventName(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals(Insert) ? Insert
        : reader.ValueTextEquals(Modify) ? Modify
        : reader.ValueTextEquals(Remove) ? Remove
        : reader.GetString();

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        reader.Read();
        Expect(reader.TokenType, type);
    }

    private static void Expect(JsonTokenType actual, JsonTokenType expected)
    {
        if (actual != expected)
        {
            throw new JsonException($"Unexpected {actual} in a GetRecords answer where {expected} belongs.");
        }
    }
}
