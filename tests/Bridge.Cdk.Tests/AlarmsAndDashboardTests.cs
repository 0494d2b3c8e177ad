using System.Text.Json;

namespace Bridge.Cdk.Tests;

public sealed class AlarmsAndDashboardTests
{
    [Fact]
    public void Four_alarms_and_one_dashboard_exist()
    {
        var stack = SynthesizedStack.FromContext();

        stack.Template.ResourceCountIs("AWS::CloudWatch::Alarm", 4);
        stack.Template.ResourceCountIs("AWS::CloudWatch::Dashboard", 1);
    }

    [Fact]
    public void Lag_alarms_watch_the_bridge_metric_by_service_name()
    {
        var stack = SynthesizedStack.FromContext(("sourceLagAlarmMinutes", "10"));

        var lagAlarms = stack.Resources("AWS::CloudWatch::Alarm")
            .Select(alarm => alarm.GetProperty("Properties"))
            .Where(alarm => alarm.TryGetProperty("MetricName", out var name) && name.GetString() == BridgeMetricNames.SourceLagMs)
            .ToList();

        Assert.Equal(2, lagAlarms.Count);
        Assert.All(lagAlarms, alarm =>
        {
            Assert.Equal(BridgeMetricNames.Namespace, alarm.GetProperty("Namespace").GetString());
            var dimension = Assert.Single(alarm.GetProperty("Dimensions").EnumerateArray());
            Assert.Equal(BridgeMetricNames.ServiceDimension, dimension.GetProperty("Name").GetString());
        });
        Assert.Contains(lagAlarms, alarm => alarm.GetProperty("Threshold").GetDouble() == 10 * 60_000);
        Assert.Contains(lagAlarms, alarm => alarm.GetProperty("Threshold").GetDouble() == 20 * 3_600_000);
    }

    [Fact]
    public void The_dashboard_graphs_merge_mode_and_backfill_progress()
    {
        var stack = SynthesizedStack.FromContext();

        var body = Assert.Single(stack.Resources("AWS::CloudWatch::Dashboard")).GetProperty("Properties").GetProperty("DashboardBody").GetRawText();
        Assert.Contains(BridgeMetricNames.WatermarkDelayMs, body, StringComparison.Ordinal);
        Assert.Contains(BridgeMetricNames.LateRecords, body, StringComparison.Ordinal);
        Assert.Contains(BridgeMetricNames.BackfillItemsScanned, body, StringComparison.Ordinal);
        Assert.Contains(BridgeMetricNames.BackfillProgressPercent, body, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_worker_metrics_raise_the_no_workers_alarm()
    {
        var stack = SynthesizedStack.FromContext();

        Assert.Contains(
            stack.Resources("AWS::CloudWatch::Alarm").Select(alarm => alarm.GetProperty("Properties")),
            alarm => alarm.TryGetProperty("Namespace", out var ns) && ns.GetString() == "AWS/ECS"
                && alarm.GetProperty("TreatMissingData").GetString() == "breaching");
    }

    [Fact]
    public void Error_rate_alarm_uses_the_failure_metrics()
    {
        var stack = SynthesizedStack.FromContext();

        var text = stack.Json.GetProperty("Resources").GetRawText();
        Assert.Contains(BridgeMetricNames.RecordsUndeliverable, text, StringComparison.Ordinal);
        Assert.Contains(BridgeMetricNames.PutRecordsFailed, text, StringComparison.Ordinal);
        Assert.Contains(BridgeMetricNames.RecordsForwarded, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Alarm_email_subscribes_to_every_alarm()
    {
        var stack = SynthesizedStack.FromContext(("alarmEmail", "oncall@example.com"));

        stack.Template.ResourceCountIs("AWS::SNS::Topic", 1);
        stack.Template.HasResourceProperties("AWS::SNS::Subscription", new Dictionary<string, object>
        {
            ["Protocol"] = "email",
            ["Endpoint"] = "oncall@example.com",
        });
        Assert.All(
            stack.Resources("AWS::CloudWatch::Alarm"),
            alarm => Assert.Equal(JsonValueKind.Array, alarm.GetProperty("Properties").GetProperty("AlarmActions").ValueKind));
    }
}
