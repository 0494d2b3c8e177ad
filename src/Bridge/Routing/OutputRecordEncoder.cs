using System.Buffers;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Output;

namespace Bridge.Routing;

/// <summary>
/// Builds the Kinesis record for a stream record of one source shard: the record's JSON, its fields
/// untouched, plus top-level <c>tableName</c>, <c>eventSourceARN</c> and <c>sourceShardId</c>.
/// </summary>
/// <remarks>
/// <para>The added fields follow the shapes Lambda and the native Kinesis integration for DynamoDB
/// deliver, and give consumers what they need to drop duplicates (the bridge delivers at least once):
/// <c>(sourceShardId, dynamodb.SequenceNumber)</c> names one change. A GetRecords record has none of
/// these three fields, so appending them cannot produce a duplicate name.</para>
/// <para>No re-serialisation and no copy: the output is the record up to its closing brace, as a slice of the
/// GetRecords answer, followed by the added fields, escaped once, here. The input is trusted to be one JSON object
/// (the decoder or the selector has read the whole record); only its closing brace is checked here.</para>
/// </remarks>
internal sealed class OutputRecordEncoder : IRecordEncoder
{
    /// <summary><c>,"tableName":"…","eventSourceARN":"…","sourceShardId":"…"}</c>, JSON-escaped: what
    /// replaces the record's closing brace.</summary>
    private readonly byte[] _commaAddedFieldsAndBrace;

    /// <summary>The same without the leading comma, for the record <c>{}</c>.</summary>
    private readonly ReadOnlyMemory<byte> _addedFieldsAndBrace;

    /// <param name="tableName">The source table's name.</param>
    /// <param name="eventSourceArn">The stream's ARN.</param>
    /// <param name="sourceShardId">The stream shard the records come from.</param>
    /// <param name="format"><see cref="OutputFormat.Lambda"/> leaves <c>tableName</c> out, as Lambda's records do not have it.</param>
    public OutputRecordEncoder(string tableName, string eventSourceArn, string sourceShardId, OutputFormat format = OutputFormat.StreamRecord)
    {
        if (format == OutputFormat.KinesisDataStreamsForDynamoDB)
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "reshaped by ReshapingEncoder");
        }

        ArgumentException.ThrowIfNullOrEmpty(tableName);
        ArgumentException.ThrowIfNullOrEmpty(eventSourceArn);
        ArgumentException.ThrowIfNullOrEmpty(sourceShardId);

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (format == OutputFormat.StreamRecord)
            {
                writer.WriteString("tableName"u8, tableName);
            }

            writer.WriteString("eventSourceARN"u8, eventSourceArn);
            writer.WriteString("sourceShardId"u8, sourceShardId);
            writer.WriteEndObject();
        }

        _commaAddedFieldsAndBrace = buffer.WrittenSpan.ToArray();
        _commaAddedFieldsAndBrace[0] = (byte)',';
        _addedFieldsAndBrace = _commaAddedFieldsAndBrace.AsMemory(1);
    }

    /// <summary>The output record: the record up to its closing brace, then the added fields. Allocates nothing;
    /// its <see cref="RecordData.Length"/> is what the caller checks against the size limit.</summary>
    /// <returns>False when <paramref name="recordJson"/> does not end with a closing brace.</returns>
    public bool TryEncode(ReadOnlyMemory<byte> recordJson, out RecordData encoded)
    {
        if (!TryFindClosingBrace(recordJson.Span, out int brace, out bool isEmpty))
        {
            encoded = default;
            return false;
        }

        encoded = new RecordData(recordJson[..brace], isEmpty ? _addedFieldsAndBrace : _commaAddedFieldsAndBrace);
        return true;
    }

    public bool TryEncode(in StreamRecord record, out RecordData encoded) => TryEncode(record.Json, out encoded);

    /// <inheritdoc cref="TryEncode(ReadOnlyMemory{byte}, out RecordData)"/>
    /// <exception cref="ArgumentException">The record does not end with a closing brace.</exception>
    public RecordData Encode(ReadOnlyMemory<byte> recordJson) =>
        TryEncode(recordJson, out var encoded)
            ? encoded
            : throw new ArgumentException("The record is not a JSON object: it does not end with '}'.", nameof(recordJson));

    /// <param name="brace">Offset of the final '}' (trailing whitespace is dropped with it).</param>
    /// <param name="isEmpty">The object has no fields, so the added ones take no leading comma.</param>
    private static bool TryFindClosingBrace(ReadOnlySpan<byte> json, out int brace, out bool isEmpty)
    {
        ReadOnlySpan<byte> throughBrace = json.TrimEnd(JsonWhitespace);
        brace = throughBrace.Length - 1;
        isEmpty = false;
        ReadOnlySpan<byte> trimmed = throughBrace.TrimStart(JsonWhitespace);
        if (trimmed.Length < 2 || trimmed[0] != '{' || trimmed[^1] != '}')
        {
            return false;
        }

        // In valid JSON the byte before an object's closing brace is '{' only when the object is empty:
        // a field's value ends with '"', '}', ']', a digit or a literal's last letter.
        isEmpty = trimmed[..^1].TrimEnd(JsonWhitespace)[^1] == '{';
        return true;
    }

    private static ReadOnlySpan<byte> JsonWhitespace => " \t\r\n"u8;
}
