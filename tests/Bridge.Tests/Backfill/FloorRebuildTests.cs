using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.Forwarding;
using Bridge.Ordering;
using Bridge.Routing;
using Bridge.Source;
using Bridge.Telemetry;
using Bridge.Testing;
using Bridge.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bridge.Tests.Backfill;

/// <summary><see cref="FloorRebuild"/> reads each shard from its checkpoint to the tip, through a split, and keeps each
/// item's highest order value as its floor.</summary>
public class FloorRebuildTests
{
    [Fact]
    public async Task Records_past_the_checkpoints_raise_their_items_floors_to_the_newest_state_and_an_earlier_lifes_remove_stays_below()
    {
        var stream = new InMemoryStream("items");
        stream.AddShard("parent");
        stream.AddShard("finished");
        var forwarded = stream.Append("parent", roomId: null, orderValue: 900, itemId: "before-checkpoint");
        stream.Append("parent", roomId: null, orderValue: 100, itemId: "x");
        var firstLifeRemoved = stream.Append("parent", roomId: null, orderValue: 100, itemId: "x", eventName: "REMOVE");
        stream.Append("finished", roomId: null, orderValue: 5000, itemId: "done");
        stream.Close("finished");
        stream.Split("parent", "left", "right");
        stream.Append("left", roomId: null, orderValue: 300, itemId: "x");
        var secondLifeRemoved = stream.Append("left", roomId: null, orderValue: 300, itemId: "x", eventName: "REMOVE");

        var store = new InMemoryLeaseStore();
        await store.TryCreateAsync(Lease.New(stream.StreamArn, "parent", null, Checkpoint.After(forwarded.SequenceNumber)), default);
        await store.TryCreateAsync(Lease.New(stream.StreamArn, "finished", null, Checkpoint.ShardEnd), default);

        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-03T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new BridgeMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), time);
        var rebuild = new FloorRebuild(stream, store, new ReaderOptions(), time, NullLoggerFactory.Instance, metrics);
        var floor = new SnapshotFloor(OrderValueSelector.For("ts"));
        var source = new ResolvedSource("items", stream.StreamArn, new PartitionKeySelector("id"));

        var rebuilding = rebuild.RebuildAsync(source, floor, CancellationToken.None);
        var appendedLate = false;
        for (var step = 0; step < 1000 && !rebuilding.IsCompleted; step++)
        {
            // A write made just before the rebuild began that shows in the stream a little later is still read.
            if (!appendedLate && time.GetUtcNow() >= DateTimeOffset.Parse("2026-12-03T09:00:03Z", System.Globalization.CultureInfo.InvariantCulture))
            {
                stream.Append("right", roomId: null, orderValue: 700, itemId: "y");
                appendedLate = true;
            }

            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }

        await rebuilding.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, floor.Count); // x and y: neither the checkpointed record nor the finished shard's

        Assert.True(IsOlder(floor, firstLifeRemoved));
        Assert.False(IsOlder(floor, secondLifeRemoved));
        Assert.True(IsOlder(floor, StreamRecordJson.Create(StreamRecordJson.Sequence(1), null, orderValue: 699, itemId: "y")));
        Assert.False(IsOlder(floor, StreamRecordJson.Create(StreamRecordJson.Sequence(1), null, orderValue: 1, itemId: "before-checkpoint")));
        Assert.False(IsOlder(floor, StreamRecordJson.Create(StreamRecordJson.Sequence(1), null, orderValue: 1, itemId: "done")));
    }

    [Fact]
    public async Task On_a_shard_whose_tip_keeps_moving_reading_stops_at_the_first_record_surely_written_after_the_rebuild_began()
    {
        var stream = new InMemoryStream("items");
        stream.AddShard("busy");
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-03T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var began = time.GetUtcNow();
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new BridgeMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), time);
        var rebuild = new FloorRebuild(stream, new InMemoryLeaseStore(), new ReaderOptions(), time, NullLoggerFactory.Instance, metrics);
        var floor = new SnapshotFloor(OrderValueSelector.For("ts"));

        var rebuilding = rebuild.RebuildAsync(new ResolvedSource("items", stream.StreamArn, new PartitionKeySelector("id")), floor, CancellationToken.None);
        var step = 0;
        for (; step < 2000 && !rebuilding.IsCompleted; step++)
        {
            // A write every step, so no read ever finds the shard at its tip.
            stream.Append("busy", roomId: null, orderValue: step, itemId: "item-" + step, createdAt: time.GetUtcNow());
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }

        await rebuilding.WaitAsync(TimeSpan.FromSeconds(30));
        var stoppedAfter = time.GetUtcNow() - began;
        Assert.InRange(stoppedAfter, FloorRebuild.Settle + FloorRebuild.CreationTimeRounding, FloorRebuild.Settle + FloorRebuild.CreationTimeRounding + TimeSpan.FromSeconds(5));
    }

    private static bool IsOlder(SnapshotFloor floor, Aws.DynamoDbStreams.StreamRecord record)
    {
        Assert.True(floor.OrderBy.TrySelect(record, out var value, out _));
        return floor.IsOlderThanSnapshot(record, value);
    }
}
