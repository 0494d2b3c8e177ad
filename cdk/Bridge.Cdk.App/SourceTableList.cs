using Bridge.Cdk;

namespace Bridge.Cdk.App;

/// <summary>Parses <c>sourceTables</c>: <c>table:partitionKey</c> or <c>streamArn:partitionKey</c>, comma-separated.</summary>
/// <remarks>The key follows the LAST colon, because stream ARNs contain colons (even in their label).</remarks>
internal static class SourceTableList
{
    public static IReadOnlyList<BridgeSource> Parse(string text)
    {
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
                sources.Add(table.StartsWith("arn:", StringComparison.Ordinal)
                    ? BridgeSource.FromStreamArn(table, partitionKey)
                    : BridgeSource.FromTableName(table, partitionKey));
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

        var duplicate = sources.GroupBy(source => source.TableName, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidContextException($"sourceTables names table '{duplicate.Key}' more than once.");
        }

        return sources;
    }
}
