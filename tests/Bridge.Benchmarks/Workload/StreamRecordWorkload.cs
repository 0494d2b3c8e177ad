using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Bridge.Benchmarks.Workload;

/// <summary>Realistic DynamoDB stream records (NEW_AND_OLD_IMAGES, every attribute type) and GetRecords answers made of them.</summary>
/// <remarks>
/// The item is a chat message keyed by <c>roomId</c>: S, N, B, SS, NS, BS, M, L, NULL and BOOL all appear in both
/// images, and a free-text <c>body</c> (with a quote, a backslash and non-ASCII text, as real messages have) is
/// padded until the record reaches the asked size.
/// </remarks>
internal static class StreamRecordWorkload
{
    public const string KeyAttribute = "roomId";

    /// <summary>DynamoDB sends non-ASCII text as raw UTF-8, not as \u escapes.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string TableName = "chat-messages";

    public const string StreamArn = "arn:aws:dynamodb:us-east-1:123456789012:table/chat-messages/stream/2026-11-27T00:00:00.000";

    /// <summary>A 21-digit DynamoDB Streams sequence number, increasing with <paramref name="index"/>.</summary>
    public static string Sequence(long index) => (100000000000000000000m + index).ToString(CultureInfo.InvariantCulture);

    /// <summary>One record of about <paramref name="targetBytes"/> UTF-8 bytes.</summary>
    /// <remarks>Below about 1.1 KB (the smallest record with every type in the new image) the old image shrinks to the
    /// item's keys, down to about 650 B.</remarks>
    public static byte[] Record(long index, string roomId, int targetBytes, long createdUnixSeconds = 1_795_000_000)
    {
        var unpadded = Write(index, roomId, 0, createdUnixSeconds, fullOldImage: true);
        var fullOldImage = unpadded.Length <= targetBytes;
        if (!fullOldImage)
        {
            unpadded = Write(index, roomId, 0, createdUnixSeconds, fullOldImage: false);
        }

        var padding = Math.Max(0, targetBytes - unpadded.Length);
        return Write(index, roomId, padding, createdUnixSeconds, fullOldImage);
    }

    /// <summary>A GetRecords answer of <paramref name="count"/> records over <paramref name="rooms"/> keys.</summary>
    public static byte[] GetRecordsAnswer(int count, int recordBytes, int rooms = 100)
    {
        var buffer = new ArrayBufferWriter<byte>(count * (recordBytes + 16));
        buffer.Write("""{"Records":["""u8);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                buffer.Write(","u8);
            }

            buffer.Write(Record(i, Room(i % rooms), recordBytes));
        }

        buffer.Write("""],"NextShardIterator":"arn:aws:dynamodb:us-east-1:123456789012:table/chat-messages/stream/2026-11-27T00:00:00.000|1|AAAAAAAAAAGQ2Oc0k5Jk4vO6xbW1r5N7iM0tEc3v"}"""u8);
        return buffer.WrittenSpan.ToArray();
    }

    public static string Room(int index) => "room-" + index.ToString("D5", CultureInfo.InvariantCulture);

    private static byte[] Write(long index, string roomId, int padding, long createdUnixSeconds, bool fullOldImage)
    {
        var buffer = new ArrayBufferWriter<byte>(1024 + padding);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("eventID", Guid.CreateVersion7(DateTimeOffset.FromUnixTimeSeconds(createdUnixSeconds)).ToString("N"));
            json.WriteString("eventName", "MODIFY");
            json.WriteString("eventVersion", "1.1");
            json.WriteString("eventSource", "aws:dynamodb");
            json.WriteString("awsRegion", "us-east-1");
            json.WriteStartObject("dynamodb");
            json.WriteNumber("ApproximateCreationDateTime", createdUnixSeconds);
            json.WriteStartObject("Keys");
            WriteS(json, KeyAttribute, roomId);
            WriteN(json, "messageId", index.ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteStartObject("NewImage");
            WriteImage(json, index, roomId, padding - (padding / 2), edited: true, full: true);
            json.WriteEndObject();
            json.WriteStartObject("OldImage");
            if (fullOldImage)
            {
                WriteImage(json, index, roomId, padding / 2, edited: false, full: false);
            }
            else
            {
                WriteS(json, KeyAttribute, roomId);
                WriteN(json, "messageId", index.ToString(CultureInfo.InvariantCulture));
            }

            json.WriteEndObject();
            json.WriteString("SequenceNumber", Sequence(index));
            json.WriteNumber("SizeBytes", 200 + padding);
            json.WriteString("StreamViewType", "NEW_AND_OLD_IMAGES");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <param name="full">The new image has every attribute type; the old one (the message before it was edited and
    /// reacted to) has S, N, B, SS, NULL and BOOL only.</param>
    private static void WriteImage(Utf8JsonWriter json, long index, string roomId, int bodyBytes, bool edited, bool full)
    {
        WriteS(json, KeyAttribute, roomId);
        WriteN(json, "messageId", index.ToString(CultureInfo.InvariantCulture));
        WriteS(json, "author", "user-" + (index % 997).ToString(CultureInfo.InvariantCulture));
        WriteS(json, "body", Body(index, bodyBytes));
        WriteN(json, "sentAt", "1795000000.123");
        json.WriteStartObject("avatar");
        json.WriteBase64String("B", "\u0089PNG"u8);
        json.WriteEndObject();
        json.WriteStartObject("tags");
        json.WriteStartArray("SS");
        json.WriteStringValue("greeting");
        json.WriteStringValue("pinned");
        json.WriteEndArray();
        json.WriteEndObject();
        if (full)
        {
            WriteRestOfImage(json);
        }

        json.WriteStartObject("deletedAt");
        json.WriteBoolean("NULL", true);
        json.WriteEndObject();
        json.WriteStartObject("edited");
        json.WriteBoolean("BOOL", edited);
        json.WriteEndObject();
    }

    private static void WriteRestOfImage(Utf8JsonWriter json)
    {
        json.WriteStartObject("scores");
        json.WriteStartArray("NS");
        json.WriteStringValue("1");
        json.WriteStringValue("-2.5");
        json.WriteStringValue("3E+10");
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartObject("attachments");
        json.WriteStartArray("BS");
        json.WriteBase64StringValue("attachment-1"u8);
        json.WriteBase64StringValue("attachment-2"u8);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartObject("meta");
        json.WriteStartObject("M");
        WriteS(json, "client", "ios");
        WriteN(json, "version", "17");
        json.WriteStartObject("flags");
        json.WriteStartObject("M");
        json.WriteStartObject("beta");
        json.WriteBoolean("BOOL", true);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("reactions");
        json.WriteStartArray("L");
        json.WriteStartObject();
        WriteS(json, "S", "thumbs-up");
        json.WriteEndObject();
        json.WriteStartObject();
        json.WriteString("N", "3");
        json.WriteEndObject();
        json.WriteStartObject();
        json.WriteBoolean("BOOL", false);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Body(long index, int bytes)
    {
        const string Text = "Hello \"team\", the build on C:\\ci is green — déjà vu. ";
        var body = new StringBuilder("message ").Append(index.ToString(CultureInfo.InvariantCulture)).Append(": ");
        while (Encoding.UTF8.GetByteCount(body.ToString()) < bytes)
        {
            body.Append(Text);
        }

        return body.ToString();
    }

    private static void WriteS(Utf8JsonWriter json, string name, string value)
    {
        json.WriteStartObject(name);
        json.WriteString("S", value);
        json.WriteEndObject();
    }

    private static void WriteN(Utf8JsonWriter json, string name, string value)
    {
        json.WriteStartObject(name);
        json.WriteString("N", value);
        json.WriteEndObject();
    }
}
