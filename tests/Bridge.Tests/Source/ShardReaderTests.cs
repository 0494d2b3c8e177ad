using Bridge.Aws.DynamoDbStreams;
using Bridge.Coordination;
using Bridge.Source;
using Bridge.Tests.Fakes;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Bridge.Tests.Source;

/// <summary>How reading survives what the source does to its shards: trims, vanished parents, expiring iterators.</summary>
public class ShardReaderTests
{
    [Fact]
    public async Task A_trimmed_checkpoint_is_counted_as_lost_at_the_source_and_reading_goes_on_from_the_trim_horizon()
    {
        using var harness = new EngineHarness();
        using var trimmed = new MetricCollector<long>(harness.MeterFactory, global::Bridge.Telemetry.BridgeMetrics.MeterName, "bridge.source.trimmed");
        harness.Stream.AddShard("A");
        var records = Enumerable.Range(0, 10).Select(_ => harness.Stream.Append("A", "room-1")).ToArray();
        await harness.Store.TryCreateAsync(Lease.New(harness.Stream.StreamArn, "A", null, Checkpoint.After(records[1].SequenceNumber)), CancellationToken.None);
        harness.Stream.Trim("A", 5);

        await harness.RunUntilAsync(() => harness.Delivered().Count == 5);

        Assert.Equal(records.Skip(5).Select(r => r.SequenceNumber.Value), harness.Delivered().Select(d => d.SequenceNumber));
        Assert.Equal(1, trimmed.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task A_child_whose_parent_aged_out_of_the_stream_starts_at_once_from_the_trim_horizon()
    {
        using var harness = new EngineHarness();
        harness.Stream.AddShard("child", parentShardId: "parent-gone");
        var records = Enumerable.Range(0, 3).Select(_ => harness.Stream.Append("child", "room-1")).ToArray();

        await harness.RunUntilAsync(() => harness.Delivered().Count == 3);

        Assert.Equal(records.Select(r => r.SequenceNumber.Value), harness.Delivered().Select(d => d.SequenceNumber));
    }

    [Fact]
    public async Task Expiring_iterators_are_renewed_after_the_last_record_read_without_loss_or_repeats()
    {
        using var harness = new EngineHarness();
        var expiry = new Random(3);
        harness.Stream.ExpireIterator = () => expiry.NextDouble() < 0.3;
        harness.Options.Reading.BatchSize = 7;
        harness.Stream.AddShard("A");
        var records = Enumerable.Range(0, 100).Select(i => harness.Stream.Append("A", "room-" + (i % 5))).ToArray();

        await harness.RunUntilAsync(() => harness.Delivered().Count >= 100);

        Assert.Equal(records.Select(r => r.SequenceNumber.Value).Order(), harness.Delivered().Select(d => d.SequenceNumber).Order());
    }

    [Fact]
    public async Task A_late_child_is_found_at_its_parents_shard_end_and_read_after_it()
    {
        using var harness = new EngineHarness();
        harness.Options.DiscoveryInterval = TimeSpan.FromHours(1);
        harness.Stream.AddShard("A");
        harness.Stream.Append("A", "room-1");
        harness.Stream.Split("A", "B", "C");
        harness.Stream.Append("B", "room-1");
        harness.Stream.Append("C", "room-1");

        await harness.RunUntilAsync(() => harness.Delivered().Count == 3);

        Assert.Equal("A", harness.Delivered()[0].ShardId);
        Assert.Equal(Checkpoint.ShardEnd, harness.Store.Get(harness.Stream.StreamArn, "A")!.Checkpoint);
    }
}
