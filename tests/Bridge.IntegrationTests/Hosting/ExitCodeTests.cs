using Bridge.IntegrationTests.Forwarding;
using Bridge.Testing;
using Bridge.Testing.Chat;

namespace Bridge.IntegrationTests.Hosting;

/// <summary>How the real host process ends: 0 only for a requested, drained stop; every failure non-zero with exactly one
/// Critical line naming the cause, so a supervisor (systemd, ECS) restarts it and an operator reads why.</summary>
public sealed class ExitCodeTests(ChatEmulators aws) : IClassFixture<ChatEmulators>
{
    /// <summary>TEST-NET-1 (RFC 5737): never an address of this machine, so binding it fails with EADDRNOTAVAIL, not "in use".</summary>
    private const string AddressNotHere = "192.0.2.1";

    /// <summary>Failures found while starting: settings (KEY=VALUE) on top of a good set-up, the exit code, and what the
    /// one Critical line must say.</summary>
    public static TheoryData<string, string[], int, string[]> StartUpFailures => new()
    {
        { "config", ["Bridge__Sources__0__TableName=exit-no-such-table"], 2, ["table 'exit-no-such-table' does not exist"] },
        { "region", ["AWS_REGION=", "AWS_DEFAULT_REGION=", "AWS_CONFIG_FILE=/nonexistent/aws-config"], 2, ["Invalid AWS configuration: No AWS region"] },
        { "health", [$"Bridge__Health__Port={BridgeProcess.FreePort()}", $"Bridge__Health__Host={AddressNotHere}"], 1, ["HealthEndpoint failed and stopped the bridge", "Bridge:Health:Host", "Cannot assign requested address"] },
        { "prometheus", ["Bridge__Metrics__Exporter=Prometheus", $"Bridge__Metrics__PrometheusPort={BridgeProcess.FreePort()}", $"Bridge__Metrics__PrometheusHost={AddressNotHere}"], 1, ["PrometheusEndpoint failed and stopped the bridge", "Bridge:Metrics:PrometheusHost", "Cannot assign requested address"] },
    };

    [Fact]
    public async Task A_requested_stop_drains_and_exits_0_without_a_critical_line()
    {
        var (table, settings) = await SetUpAsync("exit-term");
        await table.ApplyAsync(new ChatWorkload(rooms: 5, seed: 1).Next(200));
        await using var bridge = BridgeProcess.Start(settings);
        await aws.WaitForDistinctAsync("exit-term-out", 200, bridge);

        Assert.Equal(0, await bridge.StopAsync());
        Assert.Empty(CriticalLines(bridge));
    }

    /// <summary>A configuration error (exit 2: what the settings name, or no AWS region, found when the clients are
    /// built), and a listener that cannot start for another reason than a busy port (exit 1: a background
    /// service faulted, which the generic host alone would end with exit 0).</summary>
    [Theory]
    [MemberData(nameof(StartUpFailures))]
    public async Task A_failure_at_start_up_exits_non_zero_with_one_critical_line_naming_it(string name, string[] overrides, int code, string[] expected)
    {
        var (_, settings) = await SetUpAsync("exit-" + name);
        foreach (var setting in overrides)
        {
            var (key, value) = (setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]);
            settings[key] = value;
        }

        await using var bridge = BridgeProcess.Start(settings);

        Assert.Equal(code, await bridge.WaitForExitAsync());
        var critical = Assert.Single(CriticalLines(bridge));
        Assert.All(expected, text => Assert.Contains(text, critical, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_non_retryable_aws_error_while_forwarding_exits_1_naming_it()
    {
        var (table, settings) = await SetUpAsync("exit-aws");
        var workload = new ChatWorkload(rooms: 5, seed: 2);
        await table.ApplyAsync(workload.Next(100));
        await using var bridge = BridgeProcess.Start(settings);
        await aws.WaitForDistinctAsync("exit-aws-out", 100, bridge);

        // The target disappears under the running bridge: ResourceNotFoundException, which no retry can mend.
        await aws.KinesisClient.DeleteStreamAsync("exit-aws-out", default);
        await table.ApplyAsync(workload.Next(100));

        Assert.Equal(1, await bridge.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        var critical = Assert.Single(CriticalLines(bridge));
        Assert.Contains("ResourceNotFound", critical, StringComparison.Ordinal);
    }

    private static List<string> CriticalLines(BridgeProcess bridge) => [.. bridge.Lines.Where(l => l.Contains(" crit: ", StringComparison.Ordinal))];

    private async Task<(ChatTable Table, Dictionary<string, string> Settings)> SetUpAsync(string name)
    {
        var table = await aws.CreateTableAsync(name);
        await aws.CreateTargetAsync(name + "-out", shards: 1);
        return (table, aws.BridgeSettings(name, name + "-out", name + "-checkpoints"));
    }
}
