using Bridge.Host.Telemetry;

using Bridge.Testing;

namespace Bridge.IntegrationTests.Observability;

public sealed class EmfExporterTests
{
    [Fact]
    public void More_than_100_metrics_are_spread_over_lines_of_at_most_100_each_valid_EMF()
    {
        var values = Enumerable.Range(0, 230).Select(i => new CloudWatchValue($"Metric{i}", "Count", i)).ToList();

        var lines = EmfExporter.Lines("Ns", "svc", DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000), values).ToList();

        Assert.Equal(3, lines.Count);
        var parsed = lines.Select(l => EmfLine.Validate(l, "Ns", "svc")).ToList();
        Assert.Equal([100, 100, 30], parsed.Select(p => p.Count));
        Assert.Equal(values.Select(v => v.Name), parsed.SelectMany(p => p.Keys));
        Assert.Equal(229, parsed[2]["Metric229"]);
        Assert.All(lines, l => Assert.StartsWith("""{"_aws":{"Timestamp":1800000000000,""", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_CDK_metric_name_is_one_the_worker_can_emit()
    {
        Assert.All(EmfLine.CdkMetricNames(), name => Assert.Contains(name, CloudWatchMetricMap.Names));
        Assert.Equal(CloudWatchMetricMap.Names.Count(), CloudWatchMetricMap.Names.Distinct().Count());
    }

    [Theory]
    [InlineData("Bridge__Metrics__Exporter", "Prometheus,Graphite", "Bridge:Metrics:Exporter: unknown 'Graphite'")]
    [InlineData("Bridge__Health__StallTimeout", "00:00:00", "Bridge:Health:StallTimeout must be a positive duration")]
    public async Task Invalid_telemetry_settings_stop_the_host_at_start_up_with_exit_code_2(string key, string value, string message)
    {
        await using var bridge = BridgeProcess.Start(new Dictionary<string, string>
        {
            ["Bridge__Sources__0__TableName"] = "t",
            ["Bridge__Sources__0__PartitionKey"] = "roomId",
            ["Bridge__Target__StreamName"] = "s",
            ["Bridge__Checkpoints__TableName"] = "c",
            ["Bridge__Health__Port"] = "0",
            ["AWS_REGION"] = "us-east-1",
            [key] = value,
        });

        Assert.Equal(2, await bridge.WaitForExitAsync());
        Assert.Contains(message, bridge.Output, StringComparison.Ordinal);
    }
}
