using System.Text.Json;
using Amazon.CDK;
using Bridge.Cdk.App;

namespace Bridge.Cdk.Tests;

/// <summary>Key templates, filters, projection and the output format as construct props and context, checked at synth by the worker's rules.</summary>
public sealed class SourceShapingTests
{
    private const string Shaping = """
        {"chat-messages": {"partitionKey": "{tenant}:{roomId}", "partitionKeyPattern": "^(?<key>[^:]+:[^:]+)",
                           "filter": {"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"type": {"S": [{"anything-but": ["lock"]}]}}}},
                           "ignoreModifiesOf": ["seenAt", "expiresAt"], "images": "New", "excludeAttributes": ["body"]},
         "orders": {"filter": "{\"eventName\":[\"REMOVE\"]}"}}
        """;

    [Fact]
    public void Context_shaping_reaches_the_worker_as_its_configuration_keys()
    {
        var environment = Environment(SynthesizedStack.FromContext(("sourceShaping", Shaping), ("format", "KinesisDataStreamsForDynamoDB")));

        Assert.Equal("KinesisDataStreamsForDynamoDB", environment["Bridge__Target__Format"]);
        Assert.Equal("{tenant}:{roomId}", environment["Bridge__Sources__0__PartitionKey"]); // replaces sourceTables' key: a template may hold ':'
        Assert.Equal("^(?<key>[^:]+:[^:]+)", environment["Bridge__Sources__0__PartitionKeyPattern"]);
        using (var filter = JsonDocument.Parse(environment["Bridge__Sources__0__Filter"]))
        {
            Assert.Equal("lock", filter.RootElement.GetProperty("dynamodb").GetProperty("NewImage").GetProperty("type").GetProperty("S")[0].GetProperty("anything-but")[0].GetString());
        }

        Assert.Equal("seenAt", environment["Bridge__Sources__0__IgnoreModifiesOf__0"]);
        Assert.Equal("expiresAt", environment["Bridge__Sources__0__IgnoreModifiesOf__1"]);
        Assert.Equal("New", environment["Bridge__Sources__0__Images"]);
        Assert.Equal("body", environment["Bridge__Sources__0__ExcludeAttributes__0"]);
        Assert.Equal("{\"eventName\":[\"REMOVE\"]}", environment["Bridge__Sources__1__Filter"]); // a string is the pattern's JSON as is
        Assert.Equal("customerId", environment["Bridge__Sources__1__PartitionKey"]);
        Assert.False(environment.ContainsKey("Bridge__Sources__1__Images"));
    }

    [Fact]
    public void Shaping_from_cdk_json_arrives_as_an_object_and_is_read_the_same()
    {
        var fromJson = new Dictionary<string, object>
        {
            ["orders"] = new Dictionary<string, object> { ["images"] = "KeysOnly", ["filter"] = new Dictionary<string, object> { ["eventName"] = new object[] { "INSERT" } } },
        };
        var environment = Environment(SynthesizedStack.FromContext(("sourceShaping", fromJson)));
        Assert.Equal("KeysOnly", environment["Bridge__Sources__1__Images"]);
        Assert.Equal("""{"eventName":["INSERT"]}""", environment["Bridge__Sources__1__Filter"]);
    }

    [Fact]
    public void Without_shaping_the_worker_gets_the_default_format_and_nothing_else()
    {
        var environment = Environment(SynthesizedStack.FromContext());
        Assert.Equal("StreamRecord", environment["Bridge__Target__Format"]);
        Assert.DoesNotContain(environment.Keys, k => k.Contains("Filter", StringComparison.Ordinal) || k.Contains("Images", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"chat-messages": {"filter": {"eventName": "INSERT"}}}""", "source 'chat-messages':Filter is not a valid EventBridge pattern: 'eventName' must be an array of values")]
    [InlineData("""{"chat-messages": {"partitionKey": "{tenant"}}""", "source 'chat-messages':PartitionKey '{tenant' is not valid")]
    [InlineData("""{"chat-messages": {"partitionKeyPattern": "(?<key>["}}""", "source 'chat-messages':PartitionKeyPattern is not valid")]
    [InlineData("""{"chat-messages": {"images": "Newest"}}""", "Images must be one of Both, New, Old, KeysOnly")]
    [InlineData("""{"chat-messages": {"includeAttributes": ["a"], "excludeAttributes": ["b"]}}""", "give IncludeAttributes or ExcludeAttributes, not both")]
    [InlineData("""{"chat-messages": {"ignoreModifiesOf": "seenAt"}}""", "sourceShaping.chat-messages.ignoreModifiesOf' must be an array")]
    [InlineData("""{"chat-messages": {"filters": {}}}""", "unknown field 'filters'")]
    [InlineData("""{"users": {"images": "New"}}""", "sourceShaping names table 'users', which is not in sourceTables")]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""{bad""", "Context 'sourceShaping' is not JSON")]
    public void Bad_shaping_context_fails_synth_naming_the_table_and_key(string shaping, string expected)
    {
        var error = Assert.Throws<InvalidContextException>(() => SynthesizedStack.BuildStack(("sourceShaping", shaping)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_format_fails_synth()
    {
        var error = Assert.Throws<InvalidContextException>(() => SynthesizedStack.BuildStack(("format", "Avro")));
        Assert.Contains("Context 'format' must be one of StreamRecord, KinesisDataStreamsForDynamoDB, Lambda", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Construct_props_are_checked_by_the_same_rules()
    {
        var error = Assert.Throws<ArgumentException>(() => BridgeSource.FromTableName("chat", "roomId", new SourceShaping { Filter = """{"a":[{"wildcard":"x"}]}""" }));
        Assert.Contains("source 'chat':Filter is not a valid EventBridge pattern: 'a' uses the unknown operator 'wildcard'", error.Message, StringComparison.Ordinal);

        var stack = new Stack(new Amazon.CDK.App(), "Shaped");
        var bridge = Assert.Throws<ArgumentException>(() => new DynamoDbKinesisBridge(stack, "Bridge", new DynamoDbKinesisBridgeProps
        {
            Sources = [BridgeSource.FromTableName("chat", "{tenant}#{roomId}", new SourceShaping { Images = "KeysOnly" })],
            Format = "Avro",
        }));
        Assert.Contains("Format must be one of StreamRecord, KinesisDataStreamsForDynamoDB, Lambda", bridge.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Environment(SynthesizedStack stack) =>
        stack.Resources("AWS::ECS::TaskDefinition").Single().GetProperty("Properties").GetProperty("ContainerDefinitions")[0]
            .GetProperty("Environment").EnumerateArray()
            .Where(e => e.GetProperty("Value").ValueKind == JsonValueKind.String)
            .ToDictionary(e => e.GetProperty("Name").GetString()!, e => e.GetProperty("Value").GetString()!);
}
