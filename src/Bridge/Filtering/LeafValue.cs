using System.Buffers.Text;
using System.Text.Json;

namespace Bridge.Filtering;

/// <summary>One scalar of a record, as a pattern sees it: a string (unescaped UTF-8), a number (its JSON text), true, false or null.</summary>
/// <remarks>Patterns match leaves only: an object or array at a pattern's path is not a value (arrays are looked into, element by element).</remarks>
internal readonly ref struct LeafValue(JsonTokenType type, ReadOnlySpan<byte> text)
{
    public JsonTokenType Type { get; } = type;

    /// <summary>String: the unescaped UTF-8 text. Number: the JSON number's text. Empty otherwise.</summary>
    public ReadOnlySpan<byte> Text { get; } = text;

    public bool IsString => Type == JsonTokenType.String;

    /// <summary>The value as a number: a JSON number, or, when <paramref name="numericStrings"/>, a string that spells one
    /// (a DynamoDB <c>N</c> is a string on the wire).</summary>
    public bool TryGetNumber(bool numericStrings, out double value)
    {
        value = 0;
        return (Type == JsonTokenType.Number || (numericStrings && Type == JsonTokenType.String))
            && Utf8Parser.TryParse(Text, out value, out int consumed) && consumed == Text.Length;
    }
}
