using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Ordering;

/// <summary>Reads a stream record's order value, in epoch milliseconds: the <c>OrderBy</c> attribute as the writer
/// stamped it, or without one the record's <c>ApproximateCreationDateTime</c>.</summary>
/// <remarks>
/// The attribute is read from NewImage, else OldImage (so a REMOVE sorts at the deleted item's last time), else Keys.
/// An N is epoch milliseconds (a fraction is cut off); an S is an ISO-8601 time with an offset or <c>Z</c>, or a
/// string of digits taken as epoch milliseconds. Anything else is no usable value, a reason the record is
/// undeliverable (Bridge:OnUndeliverable decides), never a silent default. Only Merge mode reads it, so the extra
/// pass over the record costs Shard mode nothing. Thread-safe: it holds only the path.
/// </remarks>
internal sealed class OrderValueSelector
{
    private OrderValueSelector(AttributePath? path) => Path = path;

    /// <summary>The attribute, or null for <c>ApproximateCreationDateTime</c>.</summary>
    public AttributePath? Path { get; }

    public static OrderValueSelector ApproximateCreationDateTime { get; } = new(null);

    /// <exception cref="ArgumentException">The path is not a valid attribute path.</exception>
    public static OrderValueSelector For(string? orderBy) =>
        string.IsNullOrWhiteSpace(orderBy) ? ApproximateCreationDateTime : new OrderValueSelector(new AttributePath(orderBy));

    /// <returns>True with the value; false with a sentence for the log that names the attribute and never quotes the item.</returns>
    public bool TrySelect(in StreamRecord record, out long epochMilliseconds, out string? problem)
    {
        problem = null;
        if (Path is null)
        {
            epochMilliseconds = record.ApproximateCreationDateTime.ToUnixTimeMilliseconds();
            return true;
        }

        epochMilliseconds = 0;
        var json = record.Json.Span;
        AttributeLocation located;
        try
        {
            located = Path.LocateIn(json);
        }
        catch (JsonException e)
        {
            problem = $"The record is not a DynamoDB stream record: {e.Message}";
            return false;
        }

        if (located.Outcome != AttributeOutcome.Value)
        {
            problem = located.Outcome == AttributeOutcome.Missing
                ? $"The order attribute '{Path}' is in none of NewImage, OldImage and Keys."
                : $"The order attribute '{Path}' in {located.Image} is {AttributeTypeCodes.Code(located.Type)}; it must be an N (epoch milliseconds) or an S (ISO-8601).";
            return false;
        }

        var token = json.Slice(located.Start, located.Length);
        var text = token[1..^1]; // without the quotes
        if (located.Type == AttributeType.N || (located.Type == AttributeType.S && IsDigits(text)))
        {
            if (TryParseEpochMilliseconds(text, out epochMilliseconds))
            {
                return true;
            }
        }
        else if (located.Type == AttributeType.S && TryParseIso8601(token, out epochMilliseconds))
        {
            return true;
        }

        problem = $"The order attribute '{Path}' in {located.Image} ({AttributeTypeCodes.Code(located.Type)}) is neither epoch milliseconds nor an ISO-8601 time with an offset.";
        return false;
    }

    private static bool IsDigits(ReadOnlySpan<byte> token) => token.Length > 0 && token.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;

    private static bool TryParseEpochMilliseconds(ReadOnlySpan<byte> token, out long value)
    {
        if (Utf8Parser.TryParse(token, out long whole, out var consumed) && consumed == token.Length)
        {
            value = whole;
            return true;
        }

        // A fraction or an exponent (DynamoDB keeps numbers as the writer sent them): cut to whole milliseconds.
        if (Utf8Parser.TryParse(token, out decimal number, out consumed, 'E') && consumed == token.Length && number is > long.MinValue and < long.MaxValue)
        {
            value = (long)decimal.Floor(number);
            return true;
        }

        value = 0;
        return false;
    }

    /// <param name="token">The JSON string token, quotes included, so escapes are undone by the reader.</param>
    private static bool TryParseIso8601(ReadOnlySpan<byte> token, out long value)
    {
        var reader = new Utf8JsonReader(token);
        reader.Read();
        var text = reader.GetString();

        // An offset (or Z) is required: a time without one means a different instant on every writer's machine.
        if (text is not null && text.Length > 10 && (text.EndsWith('Z') || text.EndsWith("z", StringComparison.Ordinal) || HasOffset(text))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            value = time.ToUnixTimeMilliseconds();
            return true;
        }

        value = 0;
        return false;
    }

    private static bool HasOffset(string text)
    {
        var t = text.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        return t > 0 && text.AsSpan(t).IndexOfAny('+', '-') > 0;
    }
}
