using System.Text.Json;

namespace Bridge.Aws.DynamoDbStreams;

/// <summary>
/// The JSON shape of a DynamoDB stream record, read forward with <see cref="Utf8JsonReader"/>: where
/// <c>dynamodb</c> sits and what one attribute value (<c>{"S":"r1"}</c>) looks like.
/// </summary>
/// <remarks>
/// A record that breaks the shape is reported with <see cref="JsonException"/>, the same exception the
/// reader throws for invalid JSON, so a caller has one malformed path to handle. DynamoDB never sends
/// such records, so this path is cold: the hot path throws nothing.
/// </remarks>
public static class StreamRecordShape
{
    /// <summary>Reader options for whole records.</summary>
    /// <remarks>
    /// DynamoDB allows 32 levels of nested M/L, and each level costs two JSON levels (the attribute value
    /// object and the map or list inside it), below three levels of record. The reader's default of 64
    /// would reject legal items.
    /// </remarks>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    /// <summary>Reads the root object's properties up to <c>dynamodb</c> and enters its object.</summary>
    /// <returns>True with the reader on the <c>dynamodb</c> object's StartObject; false (with the reader on
    /// the root's EndObject) when the record has no <c>dynamodb</c> property.</returns>
    public static bool TryEnterDynamoDb(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("the record is not a JSON object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("dynamodb"u8))
            {
                ExpectObject(ref reader, "dynamodb");
                return true;
            }

            reader.Skip();
        }

        return false;
    }

    /// <summary>Reads the rest of the record after <c>dynamodb</c>, so that every byte has been checked.</summary>
    public static void ReadToEnd(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            reader.Skip();
        }

        // A second root value or other trailing bytes make the reader throw here.
        if (reader.Read())
        {
            throw new JsonException("the record has content after its closing brace");
        }
    }

    /// <summary>Reads the value of the property the reader is on, which must be an object.</summary>
    public static void ExpectObject(ref Utf8JsonReader reader, string what)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"{what} is not an object");
        }
    }

    /// <summary>
    /// With the reader on an attribute's name, enters its value object and reads the type tag; the next
    /// <see cref="Utf8JsonReader.Read"/> reaches the typed value. Call <see cref="ExitAttributeValue"/> after
    /// consuming that value.
    /// </summary>
    public static AttributeType EnterAttributeValue(ref Utf8JsonReader reader)
    {
        ExpectObject(ref reader, "an attribute value");
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            throw new JsonException("an attribute value has no type");
        }

        // Ordered by how often each type holds a key.
        if (reader.ValueTextEquals("S"u8)) return AttributeType.S;
        if (reader.ValueTextEquals("N"u8)) return AttributeType.N;
        if (reader.ValueTextEquals("B"u8)) return AttributeType.B;
        if (reader.ValueTextEquals("M"u8)) return AttributeType.M;
        if (reader.ValueTextEquals("BOOL"u8)) return AttributeType.Bool;
        if (reader.ValueTextEquals("NULL"u8)) return AttributeType.Null;
        if (reader.ValueTextEquals("L"u8)) return AttributeType.L;
        if (reader.ValueTextEquals("SS"u8)) return AttributeType.SS;
        if (reader.ValueTextEquals("NS"u8)) return AttributeType.NS;
        if (reader.ValueTextEquals("BS"u8)) return AttributeType.BS;
        throw new JsonException($"unknown attribute type '{reader.GetString()}'");
    }

    /// <summary>Leaves an attribute value object; it must hold exactly one type.</summary>
    public static void ExitAttributeValue(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("an attribute value has more than one type");
        }
    }
}
