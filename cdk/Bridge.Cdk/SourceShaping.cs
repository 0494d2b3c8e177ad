namespace Bridge.Cdk;

/// <summary>What a source forwards and how it is keyed beyond one attribute: the worker's
/// <c>Bridge:Sources:N:PartitionKeyPattern</c>, <c>Filter</c>, <c>IgnoreModifiesOf</c>, <c>Images</c>,
/// <c>IncludeAttributes</c> and <c>ExcludeAttributes</c>. Checked at synth by the worker's own rules.</summary>
public sealed class SourceShaping
{
    /// <summary>A regular expression with a group named <c>key</c>, applied to what the partition key (or template) produced.</summary>
    public string? PartitionKeyPattern { get; init; }

    /// <summary>An EventBridge / Lambda FilterCriteria pattern as JSON: one object, an array of them, or a whole FilterCriteria.</summary>
    public string? Filter { get; init; }

    /// <summary>A MODIFY whose only changed attributes are these is not forwarded (the table's stream must be NEW_AND_OLD_IMAGES).</summary>
    public IReadOnlyList<string> IgnoreModifiesOf { get; init; } = [];

    /// <summary><c>Both</c> (default), <c>New</c>, <c>Old</c> or <c>KeysOnly</c>.</summary>
    public string Images { get; init; } = "Both";

    public IReadOnlyList<string> IncludeAttributes { get; init; } = [];

    public IReadOnlyList<string> ExcludeAttributes { get; init; } = [];

    /// <summary>The worker's environment for source <paramref name="index"/>: only what differs from the defaults.</summary>
    internal void AddTo(Dictionary<string, string> environment, int index)
    {
        var prefix = $"Bridge__Sources__{index}__";
        if (PartitionKeyPattern is { Length: > 0 } pattern)
        {
            environment[prefix + "PartitionKeyPattern"] = pattern;
        }

        if (Filter is { Length: > 0 } filter)
        {
            environment[prefix + "Filter"] = filter;
        }

        if (Images != "Both")
        {
            environment[prefix + "Images"] = Images;
        }

        foreach (var (key, names) in new[] { ("IgnoreModifiesOf", IgnoreModifiesOf), ("IncludeAttributes", IncludeAttributes), ("ExcludeAttributes", ExcludeAttributes) })
        {
            for (var i = 0; i < names.Count; i++)
            {
                environment[$"{prefix}{key}__{i}"] = names[i];
            }
        }
    }

    /// <summary>Every problem the worker would refuse at start-up, naming the table; none when valid.</summary>
    internal IEnumerable<string> Problems(string tableName, string partitionKey)
    {
        var options = new Forwarding.SourceOptions
        {
            TableName = tableName,
            PartitionKey = partitionKey,
            PartitionKeyPattern = PartitionKeyPattern,
            Filter = Filter,
            IgnoreModifiesOf = [.. IgnoreModifiesOf],
            IncludeAttributes = [.. IncludeAttributes],
            ExcludeAttributes = [.. ExcludeAttributes],
        };
        var problems = Forwarding.SourceOptionsRules.Problems(options, $"source '{tableName}'").ToList();
        if (!Enum.TryParse<Output.ImageSelection>(Images, ignoreCase: false, out _) || int.TryParse(Images, out _))
        {
            problems.Add($"source '{tableName}': Images must be one of Both, New, Old, KeysOnly (was '{Images}').");
        }

        return problems;
    }
}
