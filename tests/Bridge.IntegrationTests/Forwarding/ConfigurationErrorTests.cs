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
