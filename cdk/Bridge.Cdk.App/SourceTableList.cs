using Bridge.Cdk;

namespace Bridge.Cdk.App;

/// <summary>Parses <c>sourceTables</c>: <c>table:partitionKey</c> or <c>streamArn:partitionKey</c>, comma-separated.</summary>
/// <remarks>The key follows the LAST colon, because stream ARNs contain colons (even in their label).</remarks>
internal static class SourceTableList
{
    /// <param name="shaping">Per table: a partition key that replaces the entry's, and the source's shaping (<see cref="SourceShapingContext"/>).</param>
    public static IReadOnlyList<BridgeSource> Parse(string text, IReadOnlyDictionary<string, (string? PartitionKey, SourceShaping Shaping)>? shaping = null)
    {
        shaping ??= new Dictionary<string, (string?, SourceShaping)>();
        var sources = new List<BridgeSource>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            if (colon <= 0 || colon == entry.Length - 1)
            {
                throw new InvalidContextException(
                    $"sourceTables entry '{entry}' must be TABLE:PARTITION_KEY or STREAM_ARN:PARTITION_KEY, e.g. chat-messages:roomId.");
            }

            var table = entry[..colon];
            var partitionKey = entry[(colon + 1)..];
            try
            {
                var tableName = table.StartsWith("arn:", StringComparison.Ordinal) ? BridgeSource.FromStreamArn(table, partitionKey).TableName : table;
                var (keyOverride, sourceShaping) = shaping.TryGetValue(tableName, out var found) ? found : (null, null);
                partitionKey = keyOverride ?? partitionKey;
                sources.Add(table.StartsWith("arn:", StringComparison.Ordinal)
                    ? BridgeSource.FromStreamArn(table, partitionKey, sourceShaping)
                    : BridgeSource.FromTableName(table, partitionKey, sourceShaping));
            }
            catch (ArgumentException e)
            {
                throw new InvalidContextException($"sourceTables entry '{entry}': {e.Message}", e);
            }
        }

        if (sources.Count == 0)
        {
            throw new InvalidContextException("sourceTables is empty: give at least one TABLE:PARTITION_KEY, e.g. -c sourceTables=chat-messages:roomId.");
        }

        if (shaping.Keys.FirstOrDefault(name => !sources.Any(source => source.TableName == name)) is { } stray)
        {
            throw new InvalidContextException($"sourceShaping names table '{stray}', which is not in sourceTables.");
        }

        var duplicate = sources.GroupBy(source => source.TableName, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidContextException($"sourceTables names table '{duplicate.Key}' more than once.");
        }

        return sources;
    }
}
