using System.Buffers;
using System.Text.Json;

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
/// <para>No re-serialisation: the fields are escaped once, here, and each record costs one copy into one
/// exactly sized array. The input is trusted to be one JSON object (the selector reads the whole record
/// first); only its closing brace is checked here.</para>
/// </remarks>
internal sealed class OutputRecordEncoder
{
    /// <summary><c>"tableName":"…","eventSourceARN":"…","sourceShardId":"…"}</c>, JSON-escaped: what
    /// replaces the record's closing brace (after a comma unless the record is <c>{}</c>).</summary>
    private readonly byte[] _addedFieldsAndBrace;

    /// <param name="tableName">The source table's name.</param>
    /// <param name="eventSourceArn">The stream's ARN.</param>
    /// <param name="sourceShardId">The stream shard the records come from.</param>
    public OutputRecordEncoder(string tableName, string eventSourceArn, string sourceShardId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        ArgumentException.ThrowIfNullOrEmpty(eventSourceArn);
        ArgumentException.ThrowIfNullOrEmpty(sourceShardId);

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("tableName"u8, tableName);
            writer.WriteString("eventSourceARN"u8, eventSourceArn);
            writer.WriteString("sourceShardId"u8, sourceShardId);
            writer.WriteEndObject();
        }

        _addedFieldsAndBrace = buffer.WrittenSpan[1..].ToArray();
    }

    /// <summary>The exact length <see cref="Encode"/> will produce, so a caller can check limits before
    /// anything is allocated.</summary>
    /// <returns>False when <paramref name="recordJson"/> does not end with a closing brace.</returns>
    public bool TryMeasure(ReadOnlySpan<byte> recordJson, out int encodedLength)
    {
        if (!TryFindClosingBrace(recordJson, out int brace, out bool isEmpty))
        {
            encodedLength = 0;
            return false;
        }

        encodedLength = brace + (isEmpty ? 0 : 1) + _addedFieldsAndBrace.Length;
        return true;
    }

    /// <summary>The output record. Allocates exactly one array, of the length <see cref="TryMeasure"/> gives.</summary>
    /// <exception cref="ArgumentException">The record does not end with a closing brace (a caller bug:
    /// <see cref="TryMeasure"/> says so first).</exception>
    public byte[] Encode(ReadOnlySpan<byte> recordJson)
    {
        if (!TryFindClosingBrace(recordJson, out int brace, out bool isEmpty))
        {
            throw new ArgumentException("The record is not a JSON object: it does not end with '}'.", nameof(recordJson));
        }

        int separator = isEmpty ? 0 : 1;
        byte[] output = GC.AllocateUninitializedArray<byte>(brace + separator + _addedFieldsAndBrace.Length);
        recordJson[..brace].CopyTo(output);
        if (!isEmpty)
        {
            output[brace] = (byte)',';
        }

        _addedFieldsAndBrace.CopyTo(output.AsSpan(brace + separator));
        return output;
    }

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
