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

    public static TheoryData<string, string, string, string> UnstartableListeners => new()
    {
        { "Bridge__Health__Port", "Bridge__Health__Host", "Bridge:Health:Host", "HealthEndpoint" },
        { "Bridge__Metrics__PrometheusPort", "Bridge__Metrics__PrometheusHost", "Bridge:Metrics:PrometheusHost", "PrometheusEndpoint" },
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

    [Theory]
    [MemberData(nameof(UnstartableListeners))]
    public async Task A_listener_that_cannot_start_for_another_reason_than_a_busy_port_exits_1_naming_its_key(string portKey, string hostKey, string namedKey, string service)
    {
        var (_, settings) = await SetUpAsync("exit-listener-" + service.ToLowerInvariant());
        settings["Bridge__Metrics__Exporter"] = "Prometheus";
        settings[portKey] = BridgeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings[hostKey] = AddressNotHere;
        await using var bridge = BridgeProcess.Start(settings);

        Assert.Equal(1, await bridge.WaitForExitAsync());
        var critical = Assert.Single(CriticalLines(bridge));
        Assert.Contains($"{service} failed and stopped the bridge", critical, StringComparison.Ordinal);
        Assert.Contains(namedKey, critical, StringComparison.Ordinal);
        Assert.Contains("Cannot assign requested address", critical, StringComparison.Ordinal);
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

    [Fact]
    public async Task A_configuration_error_found_at_start_up_exits_2_with_one_critical_line()
    {
        var (_, settings) = await SetUpAsync("exit-config");
        settings["Bridge__Sources__0__TableName"] = "exit-no-such-table";
        await using var bridge = BridgeProcess.Start(settings);

        Assert.Equal(2, await bridge.WaitForExitAsync());
        var critical = Assert.Single(CriticalLines(bridge));
        Assert.Contains("table 'exit-no-such-table' does not exist", critical, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_start_up_failure_outside_the_options_checks_exits_1_naming_it_instead_of_aborting()
    {
        var (_, settings) = await SetUpAsync("exit-region");
        settings["AWS_REGION"] = "";
        settings["AWS_DEFAULT_REGION"] = "";
        settings["AWS_CONFIG_FILE"] = "/nonexistent/aws-config";
        await using var bridge = BridgeProcess.Start(settings);

        Assert.Equal(1, await bridge.WaitForExitAsync());
        var critical = Assert.Single(CriticalLines(bridge));
        Assert.Contains("The host failed: No AWS region", critical, StringComparison.Ordinal);
    }

    private static List<string> CriticalLines(BridgeProcess bridge) => [.. bridge.Lines.Where(l => l.Contains(" crit: ", StringComparison.Ordinal))];

    private async Task<(ChatTable Table, Dictionary<string, string> Settings)> SetUpAsync(string name)
    {
        var table = await aws.CreateTableAsync(name);
        await aws.CreateTargetAsync(name + "-out", shards: 1);
        return (table, aws.BridgeSettings(name, name + "-out", name + "-checkpoints"));
    }
}
