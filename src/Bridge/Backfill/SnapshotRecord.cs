using System.Buffers;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Backfill;

/// <summary>A scanned item as a stream record, so that it takes the stream records' path (routing, key rules, shaping, sink) and consumers need one parser.</summary>
/// <remarks>
/// <para>The shape: <c>{"eventID","eventName":"INSERT","eventVersion","eventSource":"aws:dynamodb","awsRegion","dynamodb":{"ApproximateCreationDateTime",
/// "Keys","NewImage","SizeBytes","StreamViewType":"NEW_IMAGE"},"backfill":true,"backfillRun","scanStartedAt"}</c>; the encoder then
/// adds <c>tableName</c>, <c>eventSourceARN</c> and <c>sourceShardId</c> as for any record.</para>
/// <para><c>ApproximateCreationDateTime</c> is when the page holding the item was read: the item's state at that moment, or a
/// later one (an eventually consistent page may lag a write by a moment). There is no <c>SequenceNumber</c>: the record is a
/// state, not a change, and sorts before every stream record of its item that the bridge forwards after the scan.</para>
/// </remarks>
/// <param name="awsRegion">The table's region, as stream records carry it (from the stream ARN); null leaves the field out.</param>
internal sealed class SnapshotRecord(BackfillRun run, IReadOnlyList<string> keyAttributes, string? awsRegion = null)
{
    public const string EventName = "INSERT";

    /// <summary>The record of one item, read at <paramref name="readAt"/>; <paramref name="eventId"/> names it uniquely within the run.</summary>
    public StreamRecord Create(Dictionary<string, AttributeValue> item, string eventId, DateTimeOffset readAt, long sizeBytes)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("eventID"u8, eventId);
            writer.WriteString("eventName"u8, EventName);
            writer.WriteString("eventVersion"u8, "1.1");
            writer.WriteString("eventSource"u8, "aws:dynamodb");
            if (awsRegion is not null)
            {
                writer.WriteString("awsRegion"u8, awsRegion);
            }

            writer.WriteStartObject("dynamodb"u8);
            writer.WriteNumber("ApproximateCreationDateTime"u8, readAt.ToUnixTimeMilliseconds() / 1000m);
            writer.WriteStartObject("Keys"u8);
            foreach (var name in keyAttributes)
            {
                if (item.TryGetValue(name, out var value))
                {
                    writer.WritePropertyName(name);
                    AttributeValueJson.WriteValue(writer, value);
                }
            }

            writer.WriteEndObject();
            writer.WritePropertyName("NewImage"u8);
            AttributeValueJson.WriteMap(writer, item);
            writer.WriteNumber("SizeBytes"u8, sizeBytes);
            writer.WriteString("StreamViewType"u8, "NEW_IMAGE");
            writer.WriteEndObject();
            writer.WriteBoolean("backfill"u8, true);
            writer.WriteString("backfillRun"u8, run.RunId);
            writer.WriteString("scanStartedAt"u8, run.ScanStartedAt);
            writer.WriteEndObject();
        }

        return new StreamRecord(buffer.WrittenMemory, default, EventName, readAt, sizeBytes);
    }
}
