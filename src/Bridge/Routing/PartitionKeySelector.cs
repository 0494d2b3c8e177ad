using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Bridge.Routing;

/// <summary>
/// Finds the configured partition key attribute in a stream record: in <c>dynamodb.NewImage</c>, else
/// <c>dynamodb.OldImage</c>, else <c>dynamodb.Keys</c>, and renders it as a canonical key string.
/// </summary>
/// <remarks>
/// <para>The path is an attribute name or a dotted path into map (M) attributes: <c>roomId</c>,
/// <c>meta.tenant</c>. An attribute whose name contains '.' cannot be addressed.</para>
/// <para>Which source decides: the first, in the order above, that holds anything at the path. A source
/// where the path is absent passes to the next; one where the value is unusable (wrong type, empty)
/// decides the outcome, because falling through would route one item's changes by two different values
/// and break their order. The same holds for a path through a non-map (<c>meta</c> is an S in
/// <c>meta.tenant</c>): that is <see cref="KeySelectionStatus.UnsupportedType"/>, not missing.</para>
/// <para>Key strings: S as is; N in <see cref="CanonicalNumber"/> form; B as the base64 text sent (base64 is
/// canonical); BOOL as <c>true</c>/<c>false</c>; then <see cref="PartitionKeyLimit.Fit"/>.</para>
/// <para>Cost: one forward pass over the whole record (so a selected record is known to be valid JSON),
/// in any field order, and no allocation but the key string. Thread-safe: it holds only the path.</para>
/// </remarks>
internal sealed class PartitionKeySelector
{
    /// <summary>Scratch bytes on the stack; longer values rent from the shared pool.</summary>
    private const int StackBufferBytes = 512;

    /// <summary>The path segments as UTF-8, for comparing with property names without decoding them.</summary>
    private readonly byte[][] _segments;

    /// <param name="path">An attribute name or a dotted path into maps; every segment non-empty.</param>
    /// <exception cref="ArgumentException">The path is empty or has an empty segment.</exception>
    public PartitionKeySelector(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] segments = path.Split('.');
        int empty = Array.IndexOf(segments, string.Empty);
        if (empty >= 0)
        {
            throw new ArgumentException(
                $"Partition key path '{path}' has an empty segment (segment {empty + 1} of {segments.Length}). " +
                "Give an attribute name, or a dotted path into map attributes such as 'meta.tenant'.",
                nameof(path));
        }

        Path = path;
        _segments = Array.ConvertAll(segments, Encoding.UTF8.GetBytes);
    }

    /// <summary>The configured path, for messages.</summary>
    public string Path { get; }

    /// <param name="recordJson">One stream record object, as DynamoDB Streams sent it.</param>
    public KeySelection Select(ReadOnlySpan<byte> recordJson)
    {
        Sources sources;
        try
        {
            sources = Scan(recordJson);
        }
        catch (JsonException e)
        {
            return KeySelection.Malformed(e.Message);
        }

        if (sources.Deciding(out KeySource source) is not { } value)
        {
            return sources.SawAny
                ? KeySelection.Missing()
                : KeySelection.Malformed("dynamodb has none of Keys, NewImage and OldImage");
        }

        return value.Kind switch
        {
            FoundKind.Value => Render(recordJson, value, source),
            FoundKind.NotAKey => KeySelection.Unsupported(source, value.Type, null),
            FoundKind.NotAMap => KeySelection.Unsupported(source, value.Type, string.Join('.', Path.Split('.')[..(value.Segment + 1)])),
            // Deciding returns only sources that hold something, so Missing cannot reach here.
            _ => throw new InvalidOperationException($"unexpected {value.Kind}"),
        };
    }

    private Sources Scan(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, StreamRecordJson.ReaderOptions);
        if (!StreamRecordJson.TryEnterDynamoDb(ref reader))
        {
            throw new JsonException("the record has no dynamodb object");
        }

        var sources = default(Sources);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            KeySource source =
                reader.ValueTextEquals("NewImage"u8) ? KeySource.NewImage :
                reader.ValueTextEquals("OldImage"u8) ? KeySource.OldImage :
                reader.ValueTextEquals("Keys"u8) ? KeySource.Keys :
                KeySource.None;
            if (source == KeySource.None)
            {
                reader.Skip();
                continue;
            }

            // Named by constants: Enum.ToString would box the source on every record.
            StreamRecordJson.ExpectObject(ref reader, source switch
            {
                KeySource.NewImage => nameof(KeySource.NewImage),
                KeySource.OldImage => nameof(KeySource.OldImage),
                _ => nameof(KeySource.Keys),
            });
            sources.Set(source, FindIn(ref reader, 0));
        }

        StreamRecordJson.ReadToEnd(ref reader);
        return sources;
    }

    /// <summary>Looks for segment <paramref name="segment"/> among the attributes of the map the reader
    /// has just entered, and reads through to the map's end.</summary>
    private Found FindIn(ref Utf8JsonReader reader, int segment)
    {
        Found found = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // DynamoDB never repeats a name; if a record did, the first one wins.
            if (found.Kind == FoundKind.Missing && reader.ValueTextEquals(_segments[segment]))
            {
                found = ReadAttribute(ref reader, segment);
            }
            else
            {
                reader.Skip();
            }
        }

        return found;
    }

    private Found ReadAttribute(ref Utf8JsonReader reader, int segment)
    {
        AttributeType type = StreamRecordJson.EnterAttributeValue(ref reader);
        Found found;
        if (segment < _segments.Length - 1)
        {
            if (type == AttributeType.M)
            {
                StreamRecordJson.ExpectObject(ref reader, "an M value");
                found = FindIn(ref reader, segment + 1);
            }
            else
            {
                reader.Skip();
                found = new Found(FoundKind.NotAMap, type, segment, 0, 0, false);
            }
        }
        else
        {
            found = ReadKeyValue(ref reader, type, segment);
        }

        StreamRecordJson.ExitAttributeValue(ref reader);
        return found;
    }

    private static Found ReadKeyValue(ref Utf8JsonReader reader, AttributeType type, int segment)
    {
        reader.Read();
        switch (type)
        {
            case AttributeType.S or AttributeType.N or AttributeType.B:
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new JsonException($"an {AttributeTypeCodes.Code(type)} value is not a string");
                }

                int start = (int)reader.TokenStartIndex;
                return new Found(FoundKind.Value, type, segment, start, (int)reader.BytesConsumed - start, reader.ValueIsEscaped);

            case AttributeType.Bool:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    throw new JsonException("a BOOL value is not true or false");
                }

                int at = (int)reader.TokenStartIndex;
                return new Found(FoundKind.Value, type, segment, at, (int)reader.BytesConsumed - at, false);

            default:
                reader.Skip();
                return new Found(FoundKind.NotAKey, type, segment, 0, 0, false);
        }
    }

    /// <summary>Turns the deciding value, found by position during the scan, into the key string.</summary>
    /// <remarks>Done once, after the scan, so that values found in lower-priority sources cost nothing.</remarks>
    private static KeySelection Render(ReadOnlySpan<byte> json, Found value, KeySource source)
    {
        ReadOnlySpan<byte> token = json.Slice(value.Start, value.Length);
        if (value.Type == AttributeType.Bool)
        {
            return KeySelection.Selected(token[0] == 't' ? "true" : "false", source, value.Type);
        }

        // The token is a JSON string with its quotes; unescaped text is never longer than that.
        int textLength = token.Length - 2;
        if (textLength == 0)
        {
            return value.Type == AttributeType.N
                ? KeySelection.Malformed("an N value is empty")
                : KeySelection.Empty(source, value.Type);
        }

        int needed = textLength + CanonicalNumber.MaxOutputLength(textLength);
        byte[]? rented = null;
        Span<byte> scratch = needed <= StackBufferBytes
            ? stackalloc byte[StackBufferBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(needed));
        try
        {
            scoped ReadOnlySpan<byte> text = token[1..^1];
            if (value.Escaped && !TryUnescape(token, scratch, out text))
            {
                return KeySelection.Malformed($"an {AttributeTypeCodes.Code(value.Type)} value has an escape that is not valid UTF-16");
            }

            // The reader does not check UTF-8 inside strings. Decoding would turn bad bytes into U+FFFD and
            // merge distinct keys, so a key must be valid, as every DynamoDB string is.
            if (!Utf8.IsValid(text))
            {
                return KeySelection.Malformed($"an {AttributeTypeCodes.Code(value.Type)} value is not valid UTF-8");
            }

            if (value.Type != AttributeType.N)
            {
                return KeySelection.Selected(PartitionKeyLimit.Fit(text), source, value.Type);
            }

            Span<byte> canonical = scratch.Slice(textLength, CanonicalNumber.MaxOutputLength(text.Length));
            return CanonicalNumber.TryWrite(text, canonical, out int written)
                ? KeySelection.Selected(PartitionKeyLimit.Fit(canonical[..written]), source, value.Type)
                : KeySelection.Malformed("an N value is not a number"); // not quoted: image values are payload
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <param name="token">A JSON string token, quotes included.</param>
    private static bool TryUnescape(ReadOnlySpan<byte> token, Span<byte> destination, out ReadOnlySpan<byte> text)
    {
        var reader = new Utf8JsonReader(token);
        reader.Read();
        try
        {
            text = destination[..reader.CopyString(destination)];
            return true;
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate (\ud800): valid JSON, but no UTF-8 spells it.
            text = default;
            return false;
        }
    }

    private enum FoundKind
    {
        /// <summary>The path is not in this source (the default).</summary>
        Missing,

        /// <summary>An S, N, B or BOOL value, at <see cref="Found.Start"/>.</summary>
        Value,

        /// <summary>A value of a type that cannot be a key.</summary>
        NotAKey,

        /// <summary>A non-map where the path needs to descend.</summary>
        NotAMap,
    }

    /// <summary>What one source holds at the path, by position in the record so nothing is decoded yet.</summary>
    /// <param name="Type">The value's type (for NotAMap, the type of the non-map).</param>
    /// <param name="Segment">The index of the path segment that named the value.</param>
    /// <param name="Start">Value only: offset of the value token (a string's opening quote).</param>
    /// <param name="Length">Value only: length of the token, quotes included.</param>
    /// <param name="Escaped">Value only: the string holds escapes and must be unescaped.</param>
    private readonly record struct Found(FoundKind Kind, AttributeType Type, int Segment, int Start, int Length, bool Escaped);

    /// <summary>What each source holds at the path.</summary>
    private struct Sources
    {
        private Found _newImage;
        private Found _oldImage;
        private Found _keys;

        /// <summary>Set once any of Keys, NewImage or OldImage is seen: a record with none is not a stream record.</summary>
        public bool SawAny { get; private set; }

        public void Set(KeySource source, Found found)
        {
            SawAny = true;
            switch (source)
            {
                case KeySource.NewImage: _newImage = found; break;
                case KeySource.OldImage: _oldImage = found; break;
                default: _keys = found; break;
            }
        }

        /// <summary>The first source, in priority order, that holds something at the path.</summary>
        public readonly Found? Deciding(out KeySource source)
        {
            (source, Found found) =
                _newImage.Kind != FoundKind.Missing ? (KeySource.NewImage, _newImage) :
                _oldImage.Kind != FoundKind.Missing ? (KeySource.OldImage, _oldImage) :
                _keys.Kind != FoundKind.Missing ? (KeySource.Keys, _keys) :
                (KeySource.None, default);
            return source == KeySource.None ? null : found;
        }
    }
}
