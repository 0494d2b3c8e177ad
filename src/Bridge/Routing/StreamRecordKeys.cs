using System.Text;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Routing;

/// <summary>Renders a record's primary key (<c>dynamodb.Keys</c>) for logs: <c>roomId=r1, ts=42</c>.</summary>
/// <remarks>For logging undeliverable records, which must be findable without logging their payload. Values
/// appear as sent (N not canonicalised, B as base64) and are cut to <see cref="MaxValueLength"/>
/// characters. Never throws: a malformed record renders as far as it could be read.</remarks>
internal static class StreamRecordKeys
{
    /// <summary>Longest value shown; key attributes can reach 2 KB, and a log line should not.</summary>
    public const int MaxValueLength = 64;

    public static string Describe(ReadOnlySpan<byte> recordJson)
    {
        var text = new StringBuilder();
        try
        {
            var reader = new Utf8JsonReader(recordJson, StreamRecordShape.ReaderOptions);
            if (StreamRecordShape.TryEnterDynamoDb(ref reader) && TryEnterKeys(ref reader))
            {
                AppendKeys(ref reader, text);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // The caller is already reporting this record; show what could be read. The reader throws
            // InvalidOperationException for strings that are not valid UTF-8 or UTF-16.
            text.Append(text.Length == 0 ? "(malformed record)" : ", …(malformed record)");
        }

        return text.Length == 0 ? "(no keys)" : text.ToString();
    }

    /// <summary>With the reader inside <c>dynamodb</c>, reads up to <c>Keys</c> and enters its object; false when there is none.</summary>
    internal static bool TryEnterKeys(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Keys"u8))
            {
                StreamRecordShape.ExpectObject(ref reader, "Keys");
                return true;
            }

            reader.Skip();
        }

        return false;
    }

    private static void AppendKeys(ref Utf8JsonReader reader, StringBuilder text)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            AttributeType type = StreamRecordShape.EnterAttributeValue(ref reader);
            reader.Read();
            string value = reader.TokenType == JsonTokenType.String
                ? Shorten(reader.GetString()!)
                : $"<{AttributeTypeCodes.Code(type)}>";
            reader.Skip();
            StreamRecordShape.ExitAttributeValue(ref reader);
            text.Append(text.Length == 0 ? "" : ", ").Append(name).Append('=').Append(value);
        }
    }

    private static string Shorten(string value) =>
        value.Length <= MaxValueLength ? value : string.Concat(value.AsSpan(0, MaxValueLength), "…");
}
