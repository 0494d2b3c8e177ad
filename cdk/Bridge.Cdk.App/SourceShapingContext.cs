using System.Text.Json;
using Bridge.Cdk;

namespace Bridge.Cdk.App;

/// <summary>Parses <c>sourceShaping</c>: a JSON object from table name to that source's key, filter and projection.</summary>
/// <remarks>
/// <c>{"chat-messages": {"partitionKey": "{tenant}#{roomId}", "partitionKeyPattern": "...", "filter": {...},
/// "ignoreModifiesOf": ["seenAt"], "images": "New", "includeAttributes": [...], "excludeAttributes": [...]}}</c>.
/// <c>filter</c> is the pattern itself (an object or an array) or its JSON as a string, as a FilterCriteria holds it.
/// <c>partitionKey</c> replaces the one in <c>sourceTables</c>, for templates that hold a colon.
/// </remarks>
internal static class SourceShapingContext
{
    private static readonly string[] Fields = ["partitionKey", "partitionKeyPattern", "filter", "ignoreModifiesOf", "images", "includeAttributes", "excludeAttributes"];

    public static Dictionary<string, (string? PartitionKey, SourceShaping Shaping)> Parse(string? json)
    {
        var result = new Dictionary<string, (string?, SourceShaping)>(StringComparer.Ordinal);
        if (json is null)
        {
            return result;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidContextException($"Context 'sourceShaping' is not JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidContextException("Context 'sourceShaping' must be a JSON object from table name to {partitionKey, partitionKeyPattern, filter, ignoreModifiesOf, images, includeAttributes, excludeAttributes}.");
            }

            foreach (var table in document.RootElement.EnumerateObject())
            {
                result[table.Name] = Source(table);
            }
        }

        return result;
    }

    private static (string?, SourceShaping) Source(JsonProperty table)
    {
        string where = $"sourceShaping.{table.Name}";
        if (table.Value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidContextException($"Context '{where}' must be an object.");
        }

        if (table.Value.EnumerateObject().FirstOrDefault(f => !Fields.Contains(f.Name)) is { Value.ValueKind: not JsonValueKind.Undefined } unknown)
        {
            throw new InvalidContextException($"Context '{where}' has the unknown field '{unknown.Name}'; use {string.Join(", ", Fields)}.");
        }

        var shaping = new SourceShaping
        {
            PartitionKeyPattern = Text(table.Value, "partitionKeyPattern", where),
            Filter = table.Value.TryGetProperty("filter", out var filter)
                ? filter.ValueKind == JsonValueKind.String ? filter.GetString() : filter.GetRawText()
                : null,
            IgnoreModifiesOf = Names(table.Value, "ignoreModifiesOf", where),
            Images = Text(table.Value, "images", where) ?? "Both",
            IncludeAttributes = Names(table.Value, "includeAttributes", where),
            ExcludeAttributes = Names(table.Value, "excludeAttributes", where),
        };
        return (Text(table.Value, "partitionKey", where), shaping);
    }

    private static string? Text(JsonElement source, string field, string where) =>
        !source.TryGetProperty(field, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new InvalidContextException($"Context '{where}.{field}' must be a string.");

    private static string[] Names(JsonElement source, string field, string where) =>
        !source.TryGetProperty(field, out var value) ? []
        : value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
            : throw new InvalidContextException($"Context '{where}.{field}' must be an array of attribute names.");
}
