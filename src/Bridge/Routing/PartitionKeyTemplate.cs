using System.Text;
using System.Text.RegularExpressions;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Routing;

/// <summary>
/// A partition key made of several parts, <c>{tenant}#{roomId}</c>, and/or cut from a value by a regular expression
/// (<c>PartitionKeyPattern</c>, group <c>key</c>): <c>^(?&lt;key&gt;[^:]+:[^:]+):</c> keys <c>"12:12:msg3"</c> by <c>12:12</c>.
/// </summary>
/// <remarks>
/// <para>Each <c>{path}</c> part is rendered as a one-attribute key is (canonical numbers, base64 binaries, same image
/// order), text outside braces is copied, then the pattern (if any) picks its <c>key</c> group out of the whole, and
/// only then is the result fitted to Kinesis's limit (<see cref="PartitionKeyLimit.Fit(string)"/>). A part that cannot
/// be read, or a value the pattern does not match, makes the record undeliverable, never keyed some other way.</para>
/// <para>The pattern is compiled once, and each match is limited to <see cref="MatchTimeout"/> so that a pathological
/// expression costs one undeliverable record, not a stalled shard.</para>
/// </remarks>
internal sealed class PartitionKeyTemplate
{
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The parts in order: literal text, or an attribute path.</summary>
    private readonly (string? Literal, AttributePath? Path)[] _parts;

    private readonly Regex? _pattern;
    private readonly int _keyGroup;

    /// <exception cref="ArgumentException">The template or pattern is not valid; the message says why.</exception>
    public PartitionKeyTemplate(string template, string? pattern)
    {
        _parts = IsTemplate(template) ? Parse(template) : [(null, new AttributePath(template))];
        FirstPath = _parts.First(p => p.Path is not null).Path!;
        if (!string.IsNullOrEmpty(pattern))
        {
            try
            {
                _pattern = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, MatchTimeout);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"PartitionKeyPattern '{pattern}' is not a valid regular expression: {e.Message}", nameof(pattern));
            }

            _keyGroup = _pattern.GroupNumberFromName("key");
            if (_keyGroup < 0)
            {
                throw new ArgumentException($"PartitionKeyPattern '{pattern}' has no group named 'key': write the part to keep as (?<key>…).", nameof(pattern));
            }
        }
    }

    /// <summary>The first attribute path of the template: the one the decoder locates during its pass.</summary>
    public AttributePath FirstPath { get; }

    /// <summary>True when <paramref name="partitionKey"/> is meant as a template (it has a brace).</summary>
    public static bool IsTemplate(string partitionKey) => partitionKey.AsSpan().IndexOfAny('{', '}') >= 0;

    /// <param name="firstLocated">Where the decoder located <see cref="FirstPath"/>, or default when it did not.</param>
    public KeySelection Select(ReadOnlySpan<byte> recordJson, in AttributeLocation firstLocated)
    {
        var key = new StringBuilder();
        KeySelection first = default;
        foreach (var (literal, path) in _parts)
        {
            if (path is null)
            {
                key.Append(literal);
                continue;
            }

            var part = ReferenceEquals(path, FirstPath)
                ? PartitionKeySelector.SelectPart(path, recordJson, firstLocated, fit: false)
                : PartitionKeySelector.SelectPart(path, recordJson, default, fit: false);
            if (!part.IsSelected)
            {
                return _parts.Length == 1 ? part : part.OfPart(path.Text);
            }

            first = ReferenceEquals(path, FirstPath) ? part : first;
            key.Append(part.Key);
        }

        string whole = key.ToString();
        if (_pattern is not null)
        {
            Match match;
            try
            {
                match = _pattern.Match(whole);
            }
            catch (RegexMatchTimeoutException)
            {
                return KeySelection.PatternMismatch($"the pattern took longer than {MatchTimeout.TotalMilliseconds:0} ms");
            }

            if (!match.Success || !match.Groups[_keyGroup].Success)
            {
                return KeySelection.PatternMismatch("the pattern does not match the value");
            }

            whole = match.Groups[_keyGroup].Value;
        }

        return whole.Length == 0
            ? KeySelection.Empty(first.Source, first.Type)
            : KeySelection.Selected(PartitionKeyLimit.Fit(whole), first.Source, first.Type);
    }

    private static (string?, AttributePath?)[] Parse(string template)
    {
        var parts = new List<(string?, AttributePath?)>();
        int i = 0;
        while (i < template.Length)
        {
            int open = template.IndexOfAny(['{', '}'], i);
            if (open < 0)
            {
                parts.Add((template[i..], null));
                break;
            }

            if (template[open] == '}')
            {
                throw new ArgumentException($"Partition key template '{template}' has a '}}' without '{{' at position {open + 1}.");
            }

            if (open > i)
            {
                parts.Add((template[i..open], null));
            }

            int close = template.IndexOf('}', open + 1);
            int nested = template.IndexOf('{', open + 1);
            if (close < 0 || (nested >= 0 && nested < close))
            {
                throw new ArgumentException($"Partition key template '{template}' has a '{{' without its '}}' at position {open + 1}.");
            }

            string path = template[(open + 1)..close];
            parts.Add((null, path.Length == 0
                ? throw new ArgumentException($"Partition key template '{template}' has an empty part '{{}}' at position {open + 1}; name an attribute.")
                : new AttributePath(path)));
            i = close + 1;
        }

        // A template has a brace, so a part: an empty or unclosed one has thrown above.
        return [.. parts];
    }
}
