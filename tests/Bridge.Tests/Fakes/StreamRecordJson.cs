using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Tests.Fakes;

/// <summary>Builds DynamoDB stream records in the wire shape, for fakes and tests.</summary>
internal static class StreamRecordJson
{
    /// <param name="roomId">Value of the <c>roomId</c> attribute, or null to leave it out (a record with no key).</param>
    /// <param name="orderValue">Value of an N attribute <c>ts</c> (epoch milliseconds as a writer stamps it), or null to leave it out.</param>
    public static StreamRecord Create(string sequenceNumber, string? roomId, string eventName = "INSERT", DateTimeOffset? createdAt = null, int payloadBytes = 16, long? orderValue = null, string? itemId = null)
    {
        var created = createdAt ?? DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000);
        var id = itemId ?? "item-" + sequenceNumber;
        var buffer = new ArrayBufferWriter<byte>(256 + payloadBytes);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("eventID", "e" + sequenceNumber);
            writer.WriteString("eventName", eventName);
            writer.WriteString("eventVersion", "1.1");
            writer.WriteString("eventSource", "aws:dynamodb");
            writer.WriteString("awsRegion", "us-east-1");
            writer.WriteStartObject("dynamodb");
            writer.WriteNumber("ApproximateCreationDateTime", created.ToUnixTimeSeconds());
            writer.WriteStartObject("Keys");
            WriteAttribute(writer, "id", "S", id);
            writer.WriteEndObject();
            writer.WriteStartObject(eventName == "REMOVE" ? "OldImage" : "NewImage");
            WriteAttribute(writer, "id", "S", id);
            if (roomId is not null)
            {
                WriteAttribute(writer, "roomId", "S", roomId);
            }

            if (orderValue is { } ts)
            {
                WriteAttribute(writer, "ts", "N", ts.ToString(CultureInfo.InvariantCulture));
            }

            WriteAttribute(writer, "body", "S", new string('x', payloadBytes));
            writer.WriteEndObject();
            writer.WriteString("SequenceNumber", sequenceNumber);
            writer.WriteNumber("SizeBytes", 40 + payloadBytes);
            writer.WriteString("StreamViewType", "NEW_AND_OLD_IMAGES");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return new StreamRecord(buffer.WrittenSpan.ToArray(), SequenceNumber.Parse(sequenceNumber), eventName, created, 40 + payloadBytes);
    }

    public static string Sequence(long value) => value.ToString("D21", CultureInfo.InvariantCulture);

    private static void WriteAttribute(Utf8JsonWriter writer, string name, string type, string value)
    {
        writer.WriteStartObject(name);
        writer.WriteString(type, value);
        writer.WriteEndObject();
    }
}
