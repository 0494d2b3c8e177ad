using System.Buffers;
using System.Text.Json;
using Bridge.Source;

namespace Bridge.Routing;

/// <summary>The record written to the dead-letter stream: why it could not be forwarded, where it came from, and the record itself.</summary>
/// <remarks>
/// When the original record cannot fit in the dead-letter stream either, it is replaced by its keys, so that
/// a pointer to the lost change is still written: nothing leaves the bridge silently.
/// </remarks>
public static class DeadLetterEnvelope
{
    public static byte[] Wrap(SourceShard source, string sequenceNumber, string reason, string message, string keys, ReadOnlySpan<byte> recordJson, int maxBytes)
    {
        var withRecord = Write(source, sequenceNumber, reason, message, keys, recordJson, includeRecord: true);
        return withRecord.Length <= maxBytes ? withRecord : Write(source, sequenceNumber, reason, message, keys, recordJson, includeRecord: false);
    }

    private static byte[] Write(SourceShard source, string sequenceNumber, string reason, string message, string keys, ReadOnlySpan<byte> recordJson, bool includeRecord)
    {
        var buffer = new ArrayBufferWriter<byte>(recordJson.Length + 512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("reason", reason);
            writer.WriteString("message", message);
            writer.WriteString("tableName", source.TableName);
            writer.WriteString("eventSourceARN", source.StreamArn);
            writer.WriteString("sourceShardId", source.ShardId);
            writer.WriteString("sequenceNumber", sequenceNumber);
            writer.WriteString("keys", keys);
            if (includeRecord && IsJson(recordJson))
            {
                writer.WritePropertyName("record");
                writer.WriteRawValue(recordJson, skipInputValidation: true);
            }
            else if (includeRecord)
            {
                writer.WriteBase64String("recordBase64", recordJson);
            }
            else
            {
                writer.WriteBoolean("recordOmitted", true);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static bool IsJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
