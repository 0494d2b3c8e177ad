using Bridge.Aws.DynamoDbStreams;
using Bridge.Coordination;
using Bridge.Host.Telemetry;
using Bridge.Sink;
using Bridge.Source;
using Bridge.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;

using Bridge.Testing;

namespace Bridge.IntegrationTests.Observability;

/// <summary>How one interval of instruments folds into CloudWatch values: sums, worst shard, histogram mean and max.</summary>
public sealed class CloudWatchMetricMapTests
{
    [Fact]
    public void Counts_are_summed_by_action_lag_is_the_worst_shard_in_milliseconds_and_latency_has_mean_and_max()
    {
        using var export = new Export();
        var (time, metrics) = (export.Time, export.Metrics);
        var a = Shard("a");
        var b = Shard("b");
        metrics.Track(a);
        metrics.Track(b);
        var now = time.GetUtcNow();
        metrics.RecordForwarded(Record(a, now.AddSeconds(-2)), now);
        metrics.RecordForwarded(Record(b, now.AddSeconds(-6)), now);
        metrics.Undeliverable(a, "NoPartitionKey", "Skip");
        metrics.Undeliverable(a, "TooLarge", "DeadLetter");
        metrics.Undeliverable(b, "TooLarge", "DeadLetter");

        var values = export.Flush();

        Assert.Equal(2, values["RecordsForwarded"]);
        Assert.Equal(3, values["RecordsUndeliverable"]);
        Assert.Equal(1, values["RecordsSkipped"]);
        Assert.Equal(2, values["RecordsDeadLettered"]);
        Assert.Equal(0, values["RecordsBlocked"]);
        Assert.Equal(6000, values["SourceLagMs"]);
        Assert.Equal(4000, values["ForwardLatencyAvgMs"]);
        Assert.Equal(6000, values["ForwardLatencyMaxMs"]);
        Assert.Equal(2, values["SourceShards"]);

        // The next interval is a delta: nothing happened, so counts are 0 and latency is absent.
        var idle = export.Flush();
        Assert.Equal(0, idle["RecordsForwarded"]);
        Assert.False(idle.ContainsKey("ForwardLatencyAvgMs"));
        Assert.Equal(6000, idle["SourceLagMs"]);
    }

    [Fact]
    public void A_running_backfill_reports_items_progress_in_percent_and_time_left_and_nothing_once_it_is_over()
    {
        using var export = new Export();
        var (time, metrics) = (export.Time, export.Metrics);
        var run = Bridge.Backfill.BackfillRun.Begin("orders", "search-index", 4, time.GetUtcNow());
        var progress = new Bridge.Backfill.BackfillProgress(run, tableItemCount: 1000, tableSizeBytes: 0, time);
        metrics.ObserveBackfill(progress);
        progress.OnPage(250, 25_000);
        metrics.BackfillScanned("orders", 250, 25_000);
        time.Advance(TimeSpan.FromSeconds(10));

        var running = export.Flush();

        Assert.Equal(250, running["BackfillItemsScanned"]);
        Assert.Equal(25, running["BackfillProgressPercent"]);
        Assert.Equal(30_000, running["BackfillTimeLeftMs"]); // a quarter in 10 s: three quarters in 30 s

        metrics.ForgetBackfill(progress);
        var over = export.Flush();
        Assert.Equal(0, over["BackfillItemsScanned"]);
        Assert.False(over.ContainsKey("BackfillProgressPercent"));
        Assert.False(over.ContainsKey("BackfillTimeLeftMs"));
    }

    /// <summary>The bridge's instruments exported to CloudWatch values on demand, one interval per <see cref="Flush"/>.</summary>
    private sealed class Export : IDisposable
    {
        private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly CloudWatchQueue _queue = new();
        private readonly MeterProvider _provider;

        public Export()
        {
            Metrics = new BridgeMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Time);
            _provider = Sdk.CreateMeterProviderBuilder()
                .AddMeter(BridgeMetrics.MeterName)
                .AddReader(new PeriodicExportingMetricReader(new CloudWatchExporter(_queue, Time), 3_600_000) { TemporalityPreference = MetricReaderTemporalityPreference.Delta })
                .Build();
        }

        public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-11-27T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        public BridgeMetrics Metrics { get; }

        public Dictionary<string, double> Flush()
        {
            _provider.ForceFlush();
            Assert.True(_queue.Channel.Reader.TryRead(out var interval));
            return interval.Values.ToDictionary(v => v.Name, v => v.Value);
        }

        public void Dispose()
        {
            _provider.Dispose();
            _services.Dispose();
        }
    }

    private static SourceShard Shard(string id) => new("orders", "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/x", id);

    private static OutboundRecord Record(SourceShard shard, DateTimeOffset createdAt) =>
        new(shard, SequenceNumber.Parse("100"), "room-1", new byte[] { 1, 2, 3 }, createdAt, new ShardProgress(10, 1000));
}
