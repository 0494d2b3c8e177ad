using System.Buffers;
using System.Text.Json;

namespace Bridge.Aws.DynamoDbStreams;

/// <summary>Decodes a DynamoDB Streams <c>GetRecords</c> answer in one forward pass over the response bytes.</summary>
/// <remarks>
/// Each record keeps its JSON as a slice of the body (which must therefore not be reused) and reads only the four
/// fields the engine routes and checkpoints on, plus, when asked, where the record holds one attribute path; everything
/// else is skipped unparsed (but validated: the reader checks every byte). A record costs its slot in the result array
/// and nothing else: the sequence number is a value and event names are the shared constants.
/// </remarks>
internal static class StreamRecordsDecoder
{
    public const string Insert = "INSERT";
    public const string Modify = "MODIFY";
    public const string Remove = "REMOVE";

    /// <param name="locate">An attribute path to locate in every record, or null.</param>
    public static GetRecordsPage Decode(byte[] body, AttributePath? locate = null)
    {
        // Deep enough for the most nested legal item: the default depth of 64 would fail the whole page on it.
        var reader = new Utf8JsonReader(body, StreamRecordShape.ReaderOptions);
        Expect(ref reader, JsonTokenType.StartObject);
        StreamRecord[] records = [];
        string? next = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Records"u8))
            {
                reader.Read();
                records = ReadRecords(ref reader, body, locate);
            }
            else if (reader.ValueTextEquals("NextShardIterator"u8))
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

    private static StreamRecord[] ReadRecords(ref Utf8JsonReader reader, byte[] body, AttributePath? locate)
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

                pooled[count++] = ReadRecord(ref reader, body, locate);
            }

            return pooled.AsSpan(0, count).ToArray();
        }
        finally
        {
            // Cleared so the pool does not keep response buffers alive through the records' Json slices.
            ArrayPool<StreamRecord>.Shared.Return(pooled, clearArray: true);
        }
    }

    private static StreamRecord ReadRecord(ref Utf8JsonReader reader, byte[] body, AttributePath? locate)
    {
        var start = (int)reader.TokenStartIndex;
        string? eventName = null;
        SequenceNumber sequenceNumber = default;
        double createdSeconds = 0;
        long sizeBytes = 0;
        var located = locate is null ? default : new AttributePath.Locating(locate, start);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("eventName"u8))
            {
                reader.Read();
                eventName = ReadEventName(ref reader);
            }
            else if (reader.ValueTextEquals("dynamodb"u8))
            {
                reader.Read();
                Expect(reader.TokenType, JsonTokenType.StartObject);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("SequenceNumber"u8))
                    {
                        reader.Read();
                        sequenceNumber = ReadSequenceNumber(ref reader);
                    }
                    else if (reader.ValueTextEquals("ApproximateCreationDateTime"u8))
                    {
                        reader.Read();
                        createdSeconds = reader.GetDouble();
                    }
                    else if (reader.ValueTextEquals("SizeBytes"u8))
                    {
                        reader.Read();
                        sizeBytes = reader.GetInt64();
                    }
                    else if (locate is null || !TryLocate(ref reader, ref located))
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
            sequenceNumber.IsEmpty ? throw new JsonException("A stream record has no dynamodb.SequenceNumber.") : sequenceNumber,
            eventName ?? throw new JsonException("A stream record has no eventName."),
            DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(createdSeconds * 1000)),
            sizeBytes,
            locate is null ? default : located.Result);
    }

    /// <summary>Locates the path in an image of the record; an image that breaks the record shape makes the record
    /// malformed (its consumer decides what that means) instead of failing the whole answer.</summary>
    private static bool TryLocate(ref Utf8JsonReader reader, ref AttributePath.Locating located)
    {
        var atImage = reader;
        try
        {
            return located.TryImage(ref reader);
        }
        catch (JsonException)
        {
            // Back to the image's name and over its value. Invalid JSON (not just a wrong shape) throws again
            // here, and then the answer as a whole is broken.
            reader = atImage;
            reader.Skip();
            located.SetMalformed();
            return true;
        }
    }

    private static SequenceNumber ReadSequenceNumber(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !SequenceNumber.TryParse(reader.ValueSpan, out var sequence))
        {
            throw new JsonException("A stream record's dynamodb.SequenceNumber is not a string of decimal digits.");
        }

        return sequence;
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
