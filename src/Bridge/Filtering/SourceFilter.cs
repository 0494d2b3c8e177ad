using System.Text;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Filtering;

/// <summary>
/// The records of one source that are intentionally not forwarded: those no <c>Filter</c> pattern matches, and MODIFYs
/// that changed only <c>IgnoreModifiesOf</c> attributes.
/// </summary>
/// <remarks>
/// Built once per source at start-up; null when the source has neither, so the default path costs nothing. A record that
/// is not valid JSON is forwarded, so that routing reports it as malformed instead of it vanishing here.
/// </remarks>
internal sealed class SourceFilter
{
    private readonly RecordFilter? _pattern;
    private readonly ModifyOnlyOf? _ignoreModifiesOf;
    private readonly byte[] _eventSourceArn;

    public SourceFilter(RecordFilter? pattern, ModifyOnlyOf? ignoreModifiesOf, string eventSourceArn)
    {
        _pattern = pattern;
        _ignoreModifiesOf = ignoreModifiesOf;
        _eventSourceArn = Encoding.UTF8.GetBytes(eventSourceArn);
    }

    /// <summary>The filter a source's options ask for, or null when they ask for none.</summary>
    /// <exception cref="FormatException">The pattern is not valid (start-up validation reports it first).</exception>
    public static SourceFilter? For(string? filter, IReadOnlyCollection<string> ignoreModifiesOf, string eventSourceArn) =>
        string.IsNullOrWhiteSpace(filter) && ignoreModifiesOf.Count == 0
            ? null
            : new SourceFilter(
                string.IsNullOrWhiteSpace(filter) ? null : EventPatternCompiler.Compile(filter),
                ignoreModifiesOf.Count == 0 ? null : new ModifyOnlyOf(ignoreModifiesOf),
                eventSourceArn);

    public FilterVerdict Check(in StreamRecord record)
    {
        try
        {
            if (_pattern is not null && !_pattern.Matches(record.Json.Span, _eventSourceArn))
            {
                return FilterVerdict.Pattern;
            }

            return _ignoreModifiesOf is not null && _ignoreModifiesOf.IsNoise(record) ? FilterVerdict.IgnoreModifiesOf : FilterVerdict.Forward;
        }
        catch (JsonException)
        {
            return FilterVerdict.Forward;
        }
    }
}
