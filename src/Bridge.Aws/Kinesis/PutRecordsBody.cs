using System.Buffers;
using System.Text.Json;

namespace Bridge.Aws.Kinesis;

/// <summary>Writes a <c>PutRecords</c> request body straight from the entries: no DTO, data base64-encoded in place from its parts.</summary>
internal static class PutRecordsBody
{
    private static readonly JsonEncodedText StreamName = JsonEncodedText.Encode("StreamName");
    private static readonly JsonEncodedText StreamArn = JsonEncodedText.Encode("StreamARN");
    private static readonly JsonEncodedText Records = JsonEncodedText.Encode("Records");
    private static readonly JsonEncodedText Data = JsonEncodedText.Encode("Data");
    private static readonly JsonEncodedText PartitionKey = JsonEncodedText.Encode("PartitionKey");
    private static readonly JsonEncodedText ExplicitHashKey = JsonEncodedText.Encode("ExplicitHashKey");

    /// <summary>An upper estimate of the body size, so the buffer is rented once.</summary>
    public static int EstimateSize(IReadOnlyList<PutRecordsEntry> entries)
    {
        long size = 256;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            // Base64 grows data by 4/3; keys may need escaping (up to 6 bytes per char as \uXXXX).
            size += ((entry.Data.Length + 2) / 3 * 4) + (entry.PartitionKey.Length * 6) + (entry.ExplicitHashKey?.Length ?? 0) + 64;
        }

        return (int)Math.Min(size, int.MaxValue);
    }

    public static void Write(IBufferWriter<byte> output, KinesisStreamRef stream, IReadOnlyList<PutRecordsEntry> entries)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        if (stream.Arn is { } arn)
        {
            writer.WriteString(StreamArn, arn);
        }
        else
        {
            writer.WriteString(StreamName, stream.Name);
        }

        writer.WriteStartArray(Records);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            writer.WriteStartObject();
            writer.WritePropertyName(Data);
            if (entry.Data.Tail.IsEmpty)
            {
                writer.WriteBase64StringValue(entry.Data.Head.Span);
            }
            else
            {
                // Base64 carries over the bytes that do not fill a group of three between segments.
                writer.WriteBase64StringSegment(entry.Data.Head.Span, isFinalSegment: false);
                writer.WriteBase64StringSegment(entry.Data.Tail.Span, isFinalSegment: true);
            }

            writer.WriteString(PartitionKey, entry.PartitionKey);
            if (entry.ExplicitHashKey is { } hashKey)
            {
                writer.WriteString(ExplicitHashKey, hashKey);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
