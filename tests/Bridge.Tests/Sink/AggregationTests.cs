using System.Text;
using Bridge.Sink;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Bridge.Testing;
using Bridge.Tests.Fakes;

namespace Bridge.Tests.Sink;

/// <summary>The sink with <c>Bridge:Target:Aggregation = Kpl</c>, over the real engine.</summary>
public class AggregationTests
{
    [Fact]
    public async Task A_hot_key_backlog_goes_out_in_aggregates_within_the_size_limit_in_order_exactly_once()
    {
        using var harness = new EngineHarness();
        harness.Options.Target.Aggregation = RecordAggregation.Kpl;
        harness.Options.Target.MaxAggregateBytes = 16 * 1024;
        harness.Stream.AddShard("A");
        var records = Enumerable.Range(0, 300).Select(i => harness.Stream.Append("A", i % 10 == 0 ? "room-quiet-" + i : "room-hot", payloadBytes: 500)).ToArray();
        using var kinesisRecords = new MetricCollector<long>(harness.MeterFactory, "Bridge", "bridge.sink.kinesis_records");
        using var forwarded = new MetricCollector<long>(harness.MeterFactory, "Bridge", "bridge.sink.records_forwarded");

        await harness.RunUntilAsync(() => harness.Delivered().Count == 300);

        var entries = harness.Kinesis.AcceptedEntries;
        var aggregates = entries.Where(e => KplDeaggregator.IsAggregate(e.Data)).ToList();
        Assert.NotEmpty(aggregates);
        Assert.True(entries.Count < 100, $"300 records took {entries.Count} entries");
        Assert.Equal(entries.Count, kinesisRecords.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(300, forwarded.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(entries, e => Assert.True(e.Data.Length + Encoding.UTF8.GetByteCount(e.PartitionKey) <= 16 * 1024));
        Assert.All(entries.Where(e => e.PartitionKey.StartsWith("room-quiet-", StringComparison.Ordinal)), e => Assert.False(KplDeaggregator.IsAggregate(e.Data)));
        Assert.Equal(records.Select(r => r.SequenceNumber.Value), harness.Delivered().Select(d => d.SequenceNumber).Order(StringComparer.Ordinal));
        var hot = harness.Delivered().Where(d => d.PartitionKey == "room-hot").Select(d => d.SequenceNumber).ToList();
        Assert.Equal(hot.Order(StringComparer.Ordinal), hot);
    }

    [Fact]
    public async Task A_failed_aggregate_is_sent_again_whole_before_anything_newer_of_its_key()
    {
        using var harness = new EngineHarness(kinesis: new FlakyKinesis(seed: 7) { EntryFailure = 0.5 });
        harness.Options.Target.Aggregation = RecordAggregation.Kpl;
        harness.Stream.AddShard("A");
        harness.Stream.AppendRooms("A", 200, 3);

        await harness.RunUntilAsync(() => harness.Delivered().Count == 200);

        Assert.Contains(harness.Kinesis.AcceptedEntries, e => KplDeaggregator.IsAggregate(e.Data));
        Assert.Equal(200, harness.Delivered().Select(d => d.SequenceNumber).Distinct().Count());
        foreach (var room in harness.Delivered().GroupBy(d => d.PartitionKey))
        {
            Assert.Equal(room.Select(d => d.SequenceNumber).Order(StringComparer.Ordinal), room.Select(d => d.SequenceNumber));
        }
    }
}
