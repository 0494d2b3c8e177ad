using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Routing;

/// <summary>
/// Renders the configured partition key attribute of a stream record as a canonical key string: from
/// <c>dynamodb.NewImage</c>, else <c>dynamodb.OldImage</c>, else <c>dynamodb.Keys</c>.
/// </summary>
/// <remarks>
/// <para>Finding the attribute is <see cref="AttributePath"/>'s job, done by the GetRecords decoder in its one pass over
/// the answer (<see cref="StreamRecord.Located"/>), so a key costs no second pass over the record. The first image, in
/// the order above, that holds anything at the path decides: one where the value is unusable (wrong type, empty) does
/// not fall through, because that would route one item's changes by two different values and break their order. A
/// path through a non-map (<c>meta</c> is an S in <c>meta.tenant</c>) is <see cref="KeySelectionStatus.UnsupportedType"/>.</para>
/// <para>Key strings: S as is; N in <see cref="CanonicalNumber"/> form; B as the base64 text sent (base64 is
/// canonical); BOOL as <c>true</c>/<c>false</c>; then <see cref="PartitionKeyLimit.Fit"/>.</para>
/// <para>Allocates nothing but the key string. Thread-safe: it holds only the path.</para>
/// </remarks>
internal sealed class PartitionKeySelector
{
    /// <summary>Scratch bytes on the stack; longer values rent from the shared pool.</summary>
    private const int StackBufferBytes = 512;

    /// <summary>Set when the key is a template or has a pattern (<see cref="PartitionKeyTemplate"/>); null on the
    /// default path, one attribute as is.</summary>
    private readonly PartitionKeyTemplate? _template;

    /// <param name="partitionKey">An attribute name or a dotted path into maps (every segment non-empty), or a template
    /// with <c>{path}</c> parts (<c>{tenant}#{roomId}</c>).</param>
    /// <param name="pattern">A regular expression with a group named <c>key</c>, applied to what <paramref name="partitionKey"/> produced.</param>
    /// <exception cref="ArgumentException">The path, the template or the pattern is not valid; the message says why.</exception>
    public PartitionKeySelector(string partitionKey, string? pattern = null)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        Text = partitionKey;
        if (PartitionKeyTemplate.IsTemplate(partitionKey) || !string.IsNullOrEmpty(pattern))
        {
            _template = new PartitionKeyTemplate(partitionKey, pattern);
            Path = _template.FirstPath;
        }
        else
        {
            Path = new AttributePath(partitionKey);
        }
    }

    /// <summary>The attribute the key comes from (a template's first one); give it to the decoder so records arrive located.</summary>
    public AttributePath Path { get; }

    /// <summary>The configured <c>PartitionKey</c>, as given.</summary>
    public string Text { get; }

    /// <summary>The key of a decoded record, from where the decoder located the path (or, if it was not asked to,
    /// locating it now).</summary>
    public KeySelection Select(in StreamRecord record) =>
        _template is not null ? _template.Select(record.Json.Span, record.Located)
        : SelectPart(Path, record.Json.Span, record.Located, fit: true);

    /// <summary>One attribute's key string, from where it was <paramref name="located"/> (or, if it was not, locating it
    /// now): canonical, and fitted to Kinesis's limit when <paramref name="fit"/> (a template fits the whole key instead).</summary>
    internal static KeySelection SelectPart(AttributePath path, ReadOnlySpan<byte> recordJson, in AttributeLocation located, bool fit) =>
        located.Outcome is AttributeOutcome.NotLocated or AttributeOutcome.Malformed
            ? SelectPart(path, recordJson, fit) // the cold path: a malformed record is read again alone to learn why
            : Select(path, recordJson, located, fit);

    /// <param name="recordJson">One stream record object, as DynamoDB Streams sent it; all of it is read, so a
    /// selected record is known to be valid JSON.</param>
    public KeySelection Select(ReadOnlySpan<byte> recordJson) =>
        _template is not null ? _template.Select(recordJson, default)
        : SelectPart(Path, recordJson, fit: true);

    /// <summary>Locates <paramref name="path"/> in the record on its own, then renders it as the overload above.</summary>
    private static KeySelection SelectPart(AttributePath path, ReadOnlySpan<byte> recordJson, bool fit)
    {
        AttributeLocation located;
        try
        {
            located = path.LocateIn(recordJson);
        }
        catch (JsonException e)
        {
            return KeySelection.Malformed(e.Message);
        }

        return Select(path, recordJson, located, fit);
    }

    private static KeySelection Select(AttributePath path, ReadOnlySpan<byte> recordJson, in AttributeLocation located, bool fit)
    {
        var source = located.Image;
        return located.Outcome switch
        {
            AttributeOutcome.Value => Render(recordJson, located, source, fit),
            AttributeOutcome.Missing => KeySelection.Missing(),
            AttributeOutcome.NotAKey => KeySelection.Unsupported(source, located.Type, null),
            AttributeOutcome.NotAMap => KeySelection.Unsupported(source, located.Type, path.Prefix(located.Segment + 1)),
            _ => throw new InvalidOperationException($"unexpected {located.Outcome}"),
        };
    }

    /// <summary>Turns the deciding value, found by position during the scan, into the key string.</summary>
    /// <remarks>Done once, after the scan, so that values found in lower-priority sources cost nothing.</remarks>
    private static KeySelection Render(ReadOnlySpan<byte> json, in AttributeLocation value, ImageKind source, bool fit)
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
                return KeySelection.Selected(fit ? PartitionKeyLimit.Fit(text) : Encoding.UTF8.GetString(text), source, value.Type);
            }

            Span<byte> canonical = scratch.Slice(textLength, CanonicalNumber.MaxOutputLength(text.Length));
            return CanonicalNumber.TryWrite(text, canonical, out int written)
                ? KeySelection.Selected(fit ? PartitionKeyLimit.Fit(canonical[..written]) : Encoding.UTF8.GetString(canonical[..written]), source, value.Type)
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
}
