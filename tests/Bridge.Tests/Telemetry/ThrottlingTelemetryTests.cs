using Bridge.Tests.Fakes;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Bridge.Tests.Telemetry;

/// <summary>The real engine under a throttling storm: counted per entry, logged as summaries rather than per request.</summary>
public sealed class ThrottlingTelemetryTests
{
    [Fact]
    public async Task Throttled_entries_are_counted_and_logged_as_summaries_not_per_request()
    {
        var stream = new InMemoryStream();
        stream.AddShard("shard-1");
        stream.AppendRooms("shard-1", 200, 17);

        using var logs = new FakeLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        using var harness = new EngineHarness(stream, new FlakyKinesis { EntryFailure = 0.4, RequestFailure = 0.1 }) { Loggers = loggers };
        using var failed = new MetricCollector<long>(harness.MeterFactory, "Bridge", "bridge.sink.entries_failed");
        using var throttled = new MetricCollector<long>(harness.MeterFactory, "Bridge", "bridge.sink.entries_throttled");
        using var retries = new MetricCollector<long>(harness.MeterFactory, "Bridge", "bridge.sink.retries");
        using var forwarded = new MetricCollector<long>(harness.MeterFactory, "Bridge", "bridge.sink.records_forwarded");

        await harness.RunUntilAsync(() => harness.Kinesis.AcceptedEntries.Count >= 200);

        Assert.Equal(200, forwarded.GetMeasurementSnapshot().EvaluateAsCounter());
        var failures = failed.GetMeasurementSnapshot().EvaluateAsCounter();
        Assert.True(failures > 0);
        Assert.Equal(failures, retries.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.InRange(throttled.GetMeasurementSnapshot().EvaluateAsCounter(), 1, failures);

        // No warning per failed request; the summaries (flushed at the latest when the sink is disposed) add up to every failure.
        var records = logs.Collector.GetSnapshot();
        Assert.DoesNotContain(records, r => r.Id.Id == 3001 && r.Level > LogLevel.Debug);
        var summaries = records.Where(r => r.Id.Id == 3005).ToList();
        Assert.NotEmpty(summaries);
        Assert.All(summaries, s => Assert.Equal(LogLevel.Warning, s.Level));
        Assert.Equal(failures, summaries.Sum(s => long.Parse(s.StructuredState!.Single(kv => kv.Key == "Entries").Value!, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
