using System.Buffers;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Routing;

namespace Bridge.Output;

/// <summary>
/// Writes a stream record anew: projected (<see cref="OutputShape.Images"/>, include/exclude lists) and/or in the native
/// "Kinesis Data Streams for DynamoDB" shape.
/// </summary>
/// <remarks>
/// <para>Only used when a source asks for it: the default path sends the record's own bytes (<see cref="OutputRecordEncoder"/>).
/// Values are copied as DynamoDB sent them (no attribute value is parsed); what changes is which fields are written,
/// and, for the native shape, their names, order and the creation time in milliseconds. One per source shard, used by its
/// one consumer: the scratch writer is reused, and each record costs one array of its exact size.</para>
/// <para>Native shape, field by field (as AWS documents the integration's records): <c>awsRegion</c>, <c>eventID</c>,
/// <c>eventName</c>, <c>userIdentity</c> (the record's, or <c>null</c>), <c>recordFormat</c> = <c>"application/json"</c>,
/// <c>tableName</c>, <c>dynamodb</c> { <c>ApproximateCreationDateTime</c> (epoch milliseconds, a number), <c>Keys</c>,
/// <c>NewImage</c>, <c>OldImage</c> (those the stream and the projection have), <c>SizeBytes</c> }, <c>eventSource</c> =
/// <c>"aws:dynamodb"</c>. Then the bridge's own: <c>eventSourceARN</c>, <c>sourceShardId</c> and <c>sequenceNumber</c>
/// (the stream record's <c>dynamodb.SequenceNumber</c>, which the native shape lacks): with the shard, the dedup id.</para>
/// </remarks>
internal sealed class ReshapingEncoder(OutputShape shape, string tableName, string eventSourceArn, string sourceShardId) : IRecordEncoder
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    public bool TryEncode(in StreamRecord record, out RecordData encoded)
    {
        ReadOnlySpan<byte> json = record.Json.Span;
        _buffer.ResetWrittenCount();
        try
        {
            using (var writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true }))
            {
                if (shape.Format == OutputFormat.KinesisDataStreamsForDynamoDB)
                {
                    WriteNative(json, record, writer);
                }
                else
                {
                    WriteProjected(json, writer);
                }
            }
        }
        catch (JsonException)
        {
            encoded = default;
            return false;
        }

        encoded = _buffer.WrittenSpan.ToArray();
        return true;
    }

    /// <summary>The stream record's own fields in its own order, <c>dynamodb</c> projected, then the added fields.</summary>
    private void WriteProjected(ReadOnlySpan<byte> json, Utf8JsonWriter writer)
    {
        var reader = new Utf8JsonReader(json, StreamRecordShape.ReaderOptions);
        ExpectObject(ref reader);
        writer.WriteStartObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isDynamoDb = reader.ValueTextEquals("dynamodb"u8);
            WriteName(ref reader, writer);
            reader.Read();
            if (isDynamoDb && reader.TokenType == JsonTokenType.StartObject)
            {
                writer.WriteStartObject();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    WriteDynamoDbField(json, ref reader, writer);
                }

                writer.WriteEndObject();
            }
            else
            {
                writer.WriteRawValue(Value(json, ref reader), skipInputValidation: true);
            }
        }

        if (shape.Format == OutputFormat.StreamRecord)
        {
            writer.WriteString("tableName"u8, tableName);
        }

        writer.WriteString("eventSourceARN"u8, eventSourceArn);
        writer.WriteString("sourceShardId"u8, sourceShardId);
        writer.WriteEndObject();
    }

    /// <summary>With the reader on a property name of <c>dynamodb</c>: writes it, an image projected, or nothing for a dropped image.</summary>
    private void WriteDynamoDbField(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        ImageKind image = reader.ValueTextEquals("NewImage"u8) ? ImageKind.NewImage : reader.ValueTextEquals("OldImage"u8) ? ImageKind.OldImage : ImageKind.None;
        if (image != ImageKind.None)
        {
            WriteImage(json, ref reader, writer, image);
            return;
        }

        WriteName(ref reader, writer);
        reader.Read();
        writer.WriteRawValue(Value(json, ref reader), skipInputValidation: true);
    }

    /// <summary>Copies the property name the reader is on; its bytes as they are unless it holds escapes.</summary>
    private static void WriteName(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        if (reader.ValueIsEscaped)
        {
            writer.WritePropertyName(reader.GetString()!);
        }
        else
        {
            writer.WritePropertyName(reader.ValueSpan);
        }
    }

    /// <summary>With the reader on an image's name: writes the image (name and projected value) or skips it.</summary>
    private void WriteImage(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, Utf8JsonWriter writer, ImageKind image)
    {
        reader.Read();
        WriteImage(Value(json, ref reader), writer, image);
    }

    /// <summary>Writes an image (its name, then its value projected), or nothing when the projection drops it.</summary>
    private void WriteImage(ReadOnlySpan<byte> value, Utf8JsonWriter writer, ImageKind image)
    {
        bool kept = shape.Images switch
        {
            ImageSelection.Both => true,
            ImageSelection.New => image == ImageKind.NewImage,
            ImageSelection.Old => image == ImageKind.OldImage,
            _ => false,
        };
        if (!kept)
        {
            return;
        }

        writer.WritePropertyName(image == ImageKind.NewImage ? "NewImage"u8 : "OldImage"u8);
        if (shape.Include is null && shape.Exclude is null)
        {
            writer.WriteRawValue(value, skipInputValidation: true);
            return;
        }

        var reader = new Utf8JsonReader(value, StreamRecordShape.ReaderOptions);
        ExpectObject(ref reader);
        writer.WriteStartObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            ReadOnlySpan<byte> attribute = Value(value, ref reader);
            if (shape.Keeps(name))
            {
                writer.WritePropertyName(name);
                writer.WriteRawValue(attribute, skipInputValidation: true);
            }
        }

        writer.WriteEndObject();
    }

    private void WriteNative(ReadOnlySpan<byte> json, in StreamRecord record, Utf8JsonWriter writer)
    {
        var parts = NativeParts.Read(json);
        writer.WriteStartObject();
        WriteRaw(writer, "awsRegion"u8, json, parts.AwsRegion);
        WriteRaw(writer, "eventID"u8, json, parts.EventId);
        WriteRaw(writer, "eventName"u8, json, parts.EventName);
        WriteRaw(writer, "userIdentity"u8, json, parts.UserIdentity);
        writer.WriteString("recordFormat"u8, "application/json"u8);
        writer.WriteString("tableName"u8, tableName);
        writer.WriteStartObject("dynamodb"u8);
        writer.WriteNumber("ApproximateCreationDateTime"u8, record.ApproximateCreationDateTime.ToUnixTimeMilliseconds());
        if (!parts.Keys.IsEmpty)
        {
            WriteRaw(writer, "Keys"u8, json, parts.Keys);
        }

        if (!parts.NewImage.IsEmpty)
        {
            WriteImage(parts.NewImage.Of(json), writer, ImageKind.NewImage);
        }

        if (!parts.OldImage.IsEmpty)
        {
            WriteImage(parts.OldImage.Of(json), writer, ImageKind.OldImage);
        }

        writer.WriteNumber("SizeBytes"u8, record.SizeBytes);
        writer.WriteEndObject();
        writer.WriteString("eventSource"u8, "aws:dynamodb"u8);
        writer.WriteString("eventSourceARN"u8, eventSourceArn);
        writer.WriteString("sourceShardId"u8, sourceShardId);
        if (!record.SequenceNumber.IsEmpty)
        {
            writer.WriteString("sequenceNumber"u8, record.SequenceNumber.Value);
        }

        // A backfill's snapshot record (a state, not a change: no sequence number) keeps what marks it as one.
        if (!parts.Backfill.IsEmpty)
        {
            WriteRaw(writer, "backfill"u8, json, parts.Backfill);
            WriteRaw(writer, "backfillRun"u8, json, parts.BackfillRun);
            WriteRaw(writer, "scanStartedAt"u8, json, parts.ScanStartedAt);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes <paramref name="name"/> and the raw value at <paramref name="range"/>, or <c>null</c> when the record lacks it.</summary>
    private static void WriteRaw(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ReadOnlySpan<byte> json, Range range)
    {
        writer.WritePropertyName(name);
        if (range.IsEmpty)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(range.Of(json), skipInputValidation: true);
        }
    }

    /// <summary>With the reader on a value's first token: the value's bytes, and the reader past it.</summary>
    private static ReadOnlySpan<byte> Value(ReadOnlySpan<byte> json, ref Utf8JsonReader reader)
    {
        int start = (int)reader.TokenStartIndex;
        reader.Skip();
        return json[start..(int)reader.BytesConsumed];
    }

    private static void ExpectObject(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("the record is not a JSON object");
        }
    }

    /// <summary>Where a field's value sits in the record; empty when the record lacks the field.</summary>
    private readonly record struct Range(int Start, int Length)
    {
        public bool IsEmpty => Length == 0;

        public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> json) => json.Slice(Start, Length);
    }

    /// <summary>The fields of a stream record the native shape copies, found in one pass.</summary>
    private struct NativeParts
    {
        public Range AwsRegion, EventId, EventName, UserIdentity, Keys, NewImage, OldImage, Backfill, BackfillRun, ScanStartedAt;

        public static NativeParts Read(ReadOnlySpan<byte> json)
        {
            var parts = default(NativeParts);
            var reader = new Utf8JsonReader(json, StreamRecordShape.ReaderOptions);
            ExpectObject(ref reader);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("awsRegion"u8)) parts.AwsRegion = At(ref reader);
                else if (reader.ValueTextEquals("eventID"u8)) parts.EventId = At(ref reader);
                else if (reader.ValueTextEquals("eventName"u8)) parts.EventName = At(ref reader);
                else if (reader.ValueTextEquals("userIdentity"u8)) parts.UserIdentity = At(ref reader);
                else if (reader.ValueTextEquals("dynamodb"u8)) ReadDynamoDb(ref reader, ref parts);
                else if (reader.ValueTextEquals("backfill"u8)) parts.Backfill = At(ref reader);
                else if (reader.ValueTextEquals("backfillRun"u8)) parts.BackfillRun = At(ref reader);
                else if (reader.ValueTextEquals("scanStartedAt"u8)) parts.ScanStartedAt = At(ref reader);
                else At(ref reader);
            }

            return parts;
        }

        private static void ReadDynamoDb(ref Utf8JsonReader reader, ref NativeParts parts)
        {
            StreamRecordShape.ExpectObject(ref reader, "dynamodb");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("Keys"u8)) parts.Keys = At(ref reader);
                else if (reader.ValueTextEquals("NewImage"u8)) parts.NewImage = At(ref reader);
                else if (reader.ValueTextEquals("OldImage"u8)) parts.OldImage = At(ref reader);
                else At(ref reader);
            }
        }

        /// <summary>With the reader on a property name: where its value is, and the reader past it.</summary>
        private static Range At(ref Utf8JsonReader reader)
        {
            reader.Read();
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            return new Range(start, (int)reader.BytesConsumed - start);
        }
    }
}
