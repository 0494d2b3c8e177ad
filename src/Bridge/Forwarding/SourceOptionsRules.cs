using Bridge.Filtering;
using Bridge.Routing;

namespace Bridge.Forwarding;

/// <summary>The rules a source's key and shaping options must follow, shared by start-up validation and the CDK's synth-time checks.</summary>
public static class SourceOptionsRules
{
    /// <summary>One message per problem of <c>PartitionKey</c>, <c>PartitionKeyPattern</c>, <c>Filter</c>,
    /// <c>IgnoreModifiesOf</c>, <c>IncludeAttributes</c> and <c>ExcludeAttributes</c>, each naming its key.</summary>
    /// <param name="prefix">How the source is named in messages: <c>Bridge:Sources:0</c>.</param>
    public static IEnumerable<string> Problems(SourceOptions source, string prefix)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (string.IsNullOrWhiteSpace(source.PartitionKey))
        {
            yield return $"{prefix}:PartitionKey is required: the attribute (or dotted path into a map) whose value keys the Kinesis record.";
        }
        else if (PartitionKeyProblem(source) is { } problem)
        {
            yield return $"{prefix}:{problem}";
        }

        if (!string.IsNullOrWhiteSpace(source.Filter) && FilterProblem(source.Filter) is { } why)
        {
            yield return $"{prefix}:Filter is not a valid EventBridge pattern: {why}.";
        }

        foreach (var (key, names) in new[] { ("IgnoreModifiesOf", source.IgnoreModifiesOf), ("IncludeAttributes", source.IncludeAttributes), ("ExcludeAttributes", source.ExcludeAttributes) })
        {
            if (names.Any(string.IsNullOrWhiteSpace))
            {
                yield return $"{prefix}:{key} has an empty attribute name.";
            }
        }

        if (source.IncludeAttributes.Count > 0 && source.ExcludeAttributes.Count > 0)
        {
            yield return $"{prefix}: give IncludeAttributes or ExcludeAttributes, not both.";
        }
    }

    private static string? PartitionKeyProblem(SourceOptions source)
    {
        try
        {
            _ = new PartitionKeySelector(source.PartitionKey, source.PartitionKeyPattern);
            return null;
        }
        catch (ArgumentException ex) when (ex.ParamName == "pattern")
        {
            return $"PartitionKeyPattern is not valid: {ex.Message}";
        }
        catch (ArgumentException ex)
        {
            return $"PartitionKey '{source.PartitionKey}' is not valid: {ex.Message}";
        }
    }

    private static string? FilterProblem(string filter)
    {
        try
        {
            _ = EventPatternCompiler.Compile(filter);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }
}
