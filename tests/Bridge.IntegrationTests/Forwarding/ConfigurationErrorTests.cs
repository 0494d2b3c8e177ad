using Bridge.Testing;

namespace Bridge.IntegrationTests.Forwarding;

/// <summary>Each bad configuration stops the real host at start-up with exit code 2 and a message naming the problem.</summary>
public sealed class ConfigurationErrorTests(ChatEmulators aws) : IClassFixture<ChatEmulators>
{
    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Bridge__Sources__0__TableName", "no-such-table", "table 'no-such-table' does not exist" },
        { "Bridge__Target__StreamName", "no-such-stream", "Kinesis stream 'no-such-stream' does not exist" },
        { "Bridge__Sources__0__PartitionKey", "", "PartitionKey is required" },
        { "Bridge__Sources__0__PartitionKey", "meta..tenant", "PartitionKey 'meta..tenant' is not valid" },
        { "Bridge__StartPosition", "YESTERDAY", "StartPosition 'YESTERDAY' is not valid" },
        { "Bridge__Colour", "blue", "Colour" },
        { "Bridge__OnUndeliverable", "DeadLetter", "Bridge:DeadLetter:StreamName is required" },
        { "Bridge__Leases__RenewInterval", "00:00:06", "Bridge:Leases:Duration must be more than twice Bridge:Leases:RenewInterval" },
        { "Bridge__Leases__Duration", "-00:00:01", "Bridge:Leases:Duration must be a positive duration" },
        { "Bridge__Leases__WorkerId", "two words", "Bridge:Leases:WorkerId must be 1 to 256 characters without spaces" },
        { "Bridge__Target__Aggregation", "Zip", "Bridge:Target:Aggregation" },
        { "Bridge__Target__MaxAggregateBytes", "0", "MaxAggregateBytes must be between 1024 and 10485760" },
        { "Bridge__Sink__MaxBatchEntries", "0", "MaxBatchEntries must be between 1 and 500" },
        { "Bridge__Health__Port", "70000", "Port must be between 0 and 65535" },
        { "Bridge__Target__MaxAggregateBytes", "2000000", "Bridge:Target:MaxAggregateBytes (2000000) must not exceed Bridge:Sink:MaxRecordBytes (1048576)" },
        { "Bridge__Sources__0__PartitionKey", "{tenant}#{roomId", "Bridge:Sources:0:PartitionKey '{tenant}#{roomId' is not valid: Partition key template '{tenant}#{roomId' has a '{' without its '}'" },
        { "Bridge__Sources__0__PartitionKeyPattern", "(?<key>[", "Bridge:Sources:0:PartitionKeyPattern is not valid: PartitionKeyPattern '(?<key>[' is not a valid regular expression" },
        { "Bridge__Sources__0__PartitionKeyPattern", "^([^:]+):", "Bridge:Sources:0:PartitionKeyPattern is not valid: PartitionKeyPattern '^([^:]+):' has no group named 'key'" },
        { "Bridge__Sources__0__Filter", "{\"eventName\":\"INSERT\"}", "Bridge:Sources:0:Filter is not a valid EventBridge pattern: 'eventName' must be an array of values or an object" },
        { "Bridge__Sources__0__Filter", "{\"eventName\":[{\"wildcard\":\"I*\"}]}", "Bridge:Sources:0:Filter is not a valid EventBridge pattern: 'eventName' uses the unknown operator 'wildcard'" },
        { "Bridge__Sources__0__Filter", "{eventName", "Bridge:Sources:0:Filter is not a valid EventBridge pattern: it is not JSON" },
        { "Bridge__Sources__0__IgnoreModifiesOf__0", " ", "Bridge:Sources:0:IgnoreModifiesOf has an empty attribute name" },
        { "Bridge__Sources__0__Images", "Newest", "Bridge:Sources:0:Images" },
        { "Bridge__Target__Format", "Avro", "Bridge:Target:Format" },
        { "Bridge__Backfill__TotalSegments", "0", "TotalSegments must be between 1 and 1000000" },
        { "Bridge__Backfill__ReadUnitsPerSecond", "0", "ReadUnitsPerSecond must be between 1 and 1000000" },
        { "Bridge__Backfill__ProgressInterval", "00:00:00", "Bridge:Backfill:ProgressInterval must be a positive duration" },
    };

    public static TheoryData<string[], string> BadBackfillArguments => new()
    {
        { ["backfill"], "backfill needs one of --source N or --table NAME" },
        { ["backfill", "--source", "0", "--table", "config-chat"], "backfill needs one of --source N or --table NAME" },
        { ["backfill", "--source", "3"], "--source 3: Bridge:Sources has 1 sources" },
        { ["backfill", "--table", "config-other"], "--table config-other: no source in Bridge:Sources reads that table" },
        { ["backfill", "--source", "0", "--run", "two words"], "--run needs a name" },
        { ["backfill", "--source", "0", "--Bridge:Backfill:PageSize", "0"], "PageSize must be between 1 and 100000" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_bridge_with_a_clear_message(string key, string value, string expected)
    {
        await EnsureGoodSetupAsync();
        var settings = aws.BridgeSettings("config-chat", "config-out", "config-checkpoints");
        settings[key] = value;
        await using var bridge = BridgeProcess.Start(settings);
        Assert.Equal(2, await bridge.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(expected, bridge.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadBackfillArguments))]
    public async Task A_backfill_command_with_bad_arguments_exits_2_naming_the_problem(string[] arguments, string expected)
    {
        await EnsureGoodSetupAsync();
        await using var backfill = BridgeProcess.Start(aws.BridgeSettings("config-chat", "config-out", "config-checkpoints"), arguments);
        Assert.Equal(2, await backfill.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(expected, backfill.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_table_without_a_stream_is_refused()
    {
        await EnsureGoodSetupAsync();
        await aws.CreateTableAsync("config-no-stream", stream: false);
        await using var bridge = BridgeProcess.Start(aws.BridgeSettings("config-no-stream", "config-out", "config-checkpoints"));
        Assert.Equal(2, await bridge.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("table 'config-no-stream' has no stream enabled", bridge.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Include_and_exclude_lists_together_are_refused()
    {
        await EnsureGoodSetupAsync();
        var settings = aws.BridgeSettings("config-chat", "config-out", "config-checkpoints");
        settings["Bridge__Sources__0__IncludeAttributes__0"] = "body";
        settings["Bridge__Sources__0__ExcludeAttributes__0"] = "seenAt";
        await using var bridge = BridgeProcess.Start(settings);
        Assert.Equal(2, await bridge.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Bridge:Sources:0: give IncludeAttributes or ExcludeAttributes, not both", bridge.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IgnoreModifiesOf_on_a_stream_without_both_images_is_refused()
    {
        await EnsureGoodSetupAsync();
        await aws.DynamoDbClient.CreateTableAsync(new Amazon.DynamoDBv2.Model.CreateTableRequest
        {
            TableName = "config-new-image",
            BillingMode = Amazon.DynamoDBv2.BillingMode.PAY_PER_REQUEST,
            KeySchema = [new("roomId", Amazon.DynamoDBv2.KeyType.HASH)],
            AttributeDefinitions = [new("roomId", Amazon.DynamoDBv2.ScalarAttributeType.S)],
            StreamSpecification = new() { StreamEnabled = true, StreamViewType = Amazon.DynamoDBv2.StreamViewType.NEW_IMAGE },
        });
        var settings = aws.BridgeSettings("config-new-image", "config-out", "config-checkpoints");
        settings["Bridge__Sources__0__IgnoreModifiesOf__0"] = "seenAt";
        await using var bridge = BridgeProcess.Start(settings);
        Assert.Equal(2, await bridge.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Bridge:Sources:0: IgnoreModifiesOf compares a MODIFY's two images, but stream", bridge.Output, StringComparison.Ordinal);
        Assert.Contains("is NEW_IMAGE; use NEW_AND_OLD_IMAGES", bridge.Output, StringComparison.Ordinal);
    }

    private static readonly SemaphoreSlim SetupOnce = new(1, 1);
    private static bool _setUp;

    /// <summary>A valid table and target, so each case breaks exactly one thing.</summary>
    private async Task EnsureGoodSetupAsync()
    {
        await SetupOnce.WaitAsync();
        try
        {
            if (!_setUp)
            {
                await aws.CreateTableAsync("config-chat");
                await aws.CreateTargetAsync("config-out", shards: 1);
                _setUp = true;
            }
        }
        finally
        {
            SetupOnce.Release();
        }
    }
}
