using System.Text.Json;

namespace Bridge.Cdk.Tests;

/// <summary>One synthesized IAM statement, with Action and Resource normalised to lists (IAM allows a single value or a list).</summary>
internal sealed record PolicyStatementView(string PolicyLogicalId, JsonElement Statement)
{
    public IReadOnlyList<string> Actions => AsList(Statement.GetProperty("Action")).Select(action => action.GetString()!).ToList();

    public IReadOnlyList<JsonElement> Resources => AsList(Statement.GetProperty("Resource"));

    public bool HasWildcardResource => Resources.Any(resource => resource.ValueKind == JsonValueKind.String && resource.GetString() == "*");

    public bool IsTaskRolePolicy => PolicyLogicalId.Contains("TaskRole", StringComparison.Ordinal);

    /// <summary>The resources as raw JSON text, to check that they name (or reference) what they should.</summary>
    public string ResourceText => string.Join(" ", Resources.Select(resource => resource.GetRawText()));

    private static List<JsonElement> AsList(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().ToList() : [element];
}
