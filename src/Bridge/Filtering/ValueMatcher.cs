using System.Text;
using System.Text.Json;

namespace Bridge.Filtering;

/// <summary>One value of a pattern's list (<c>"INSERT"</c>, <c>{"prefix":"a"}</c>, <c>{"numeric":["&gt;",0]}</c>): does one leaf of the record match it?</summary>
/// <remarks>Built once at start-up by <see cref="EventPatternCompiler"/>; immutable, so one instance serves every shard.
/// Semantics follow EventBridge's (and Lambda event filtering's): strings match strings and numbers numbers, exactly;
/// <c>exists</c> is decided by the caller from whether the path had any leaf.</remarks>
internal abstract class ValueMatcher
{
    public abstract bool Matches(in LeafValue value);

    /// <summary>Compares the leaf's text with <paramref name="expected"/> ignoring case (Unicode simple case folding, as
    /// EventBridge does), without allocating for short strings.</summary>
    protected static bool IgnoreCase(ReadOnlySpan<byte> utf8, string expected, Func<ReadOnlySpan<char>, string, bool> compare)
    {
        const int StackChars = 256;
        int length = Encoding.UTF8.GetCharCount(utf8);
        Span<char> chars = length <= StackChars ? stackalloc char[StackChars] : new char[length];
        int written = Encoding.UTF8.GetChars(utf8, chars);
        return compare(chars[..written], expected);
    }
}

/// <summary><c>"text"</c>: the leaf is this string.</summary>
internal sealed class ExactString(string text) : ValueMatcher
{
    private readonly byte[] _utf8 = Encoding.UTF8.GetBytes(text);

    public override bool Matches(in LeafValue value) => value.IsString && value.Text.SequenceEqual(_utf8);
}

/// <summary><c>42</c>: the leaf is a number equal to this one.</summary>
internal sealed class ExactNumber(double number) : ValueMatcher
{
    public override bool Matches(in LeafValue value) => value.TryGetNumber(numericStrings: false, out double n) && n == number;
}

/// <summary><c>true</c>, <c>false</c>, <c>null</c>: the leaf is this literal.</summary>
internal sealed class ExactLiteral(JsonTokenType type) : ValueMatcher
{
    public override bool Matches(in LeafValue value) => value.Type == type;
}

/// <summary><c>{"prefix":"a"}</c>, <c>{"suffix":"a"}</c>, and either with <c>{"equals-ignore-case":"a"}</c> inside.</summary>
/// <param name="atEnd">A suffix; otherwise a prefix.</param>
internal sealed class Affix(string affix, bool ignoreCase, bool atEnd) : ValueMatcher
{
    private readonly byte[] _utf8 = Encoding.UTF8.GetBytes(affix);

    public override bool Matches(in LeafValue value) =>
        value.IsString && (ignoreCase
            ? IgnoreCase(value.Text, affix, atEnd
                ? static (text, a) => text.EndsWith(a, StringComparison.OrdinalIgnoreCase)
                : static (text, a) => text.StartsWith(a, StringComparison.OrdinalIgnoreCase))
            : atEnd ? value.Text.EndsWith(_utf8) : value.Text.StartsWith(_utf8));
}

/// <summary><c>{"equals-ignore-case":"a"}</c>.</summary>
internal sealed class EqualsIgnoreCase(string text) : ValueMatcher
{
    public override bool Matches(in LeafValue value) =>
        value.IsString && IgnoreCase(value.Text, text, static (t, e) => t.Equals(e, StringComparison.OrdinalIgnoreCase));
}

/// <summary><c>{"anything-but":…}</c>: a leaf that none of the inner matchers match. With strings or numbers, any leaf
/// (of any type) but those; with <c>prefix</c>, <c>suffix</c> or <c>equals-ignore-case</c>, any string but those.</summary>
internal sealed class AnythingBut(ValueMatcher[] excluded, bool stringsOnly) : ValueMatcher
{
    public override bool Matches(in LeafValue value)
    {
        if (stringsOnly && !value.IsString)
        {
            return false;
        }

        foreach (var matcher in excluded)
        {
            if (matcher.Matches(value))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary><c>{"numeric":["&gt;",0,"&lt;=",5]}</c>: a number within the bounds.</summary>
/// <param name="numericStrings">The path ends in a DynamoDB <c>N</c>, whose value is a string that spells a number.</param>
internal sealed class NumericRange(double lower, bool lowerInclusive, double upper, bool upperInclusive, bool numericStrings) : ValueMatcher
{
    public override bool Matches(in LeafValue value) =>
        value.TryGetNumber(numericStrings, out double n)
        && (lowerInclusive ? n >= lower : n > lower)
        && (upperInclusive ? n <= upper : n < upper);
}

/// <summary><c>{"exists":true}</c>: any leaf. (<c>{"exists":false}</c> has no matcher: it holds when the path has no leaf.)</summary>
internal sealed class AnyLeaf : ValueMatcher
{
    public static readonly AnyLeaf Instance = new();

    public override bool Matches(in LeafValue value) => true;
}
