using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Backfill;
using Bridge.Ordering;

namespace Bridge.Tests.Backfill;

public class SnapshotFloorTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-03T05:00:00Z", CultureInfo.InvariantCulture);
    private static readonly SnapshotRecord Snapshots = new(BackfillRun.Begin("Rooms", BackfillRun.SnapshotRunId, 4, T0), ["id"]);

    /// <summary>A snapshot record of item <paramref name="id"/> with <c>updatedAt</c> = <paramref name="updatedAt"/>, or without it.</summary>
    internal static StreamRecord Snapshot(string id, long? updatedAt)
    {
        var item = new Dictionary<string, AttributeValue> { ["id"] = new AttributeValue { S = id } };
        if (updatedAt is { } value)
        {
            item["updatedAt"] = new AttributeValue { N = value.ToString(CultureInfo.InvariantCulture) };
        }

        return Snapshots.Create(item, "e", T0, 10);
    }

    /// <summary>A stream record of item <paramref name="id"/>: <c>updatedAt</c> in NewImage, or in OldImage for a REMOVE.</summary>
    internal static StreamRecord Change(string id, string eventName, long updatedAt, DateTimeOffset createdAt)
    {
        var image = eventName == "REMOVE" ? "OldImage" : "NewImage";
        var json = $$$"""{"eventName":"{{{eventName}}}","dynamodb":{"ApproximateCreationDateTime":{{{createdAt.ToUnixTimeSeconds()}}},"Keys":{"id":{"S":"{{{id}}}"}},"{{{image}}}":{"id":{"S":"{{{id}}}"},"updatedAt":{"N":"{{{updatedAt}}}"}},"SequenceNumber":"1"}}""";
        return new StreamRecord(Encoding.UTF8.GetBytes(json), SequenceNumber.Parse("1"), eventName, createdAt, 10);
    }

    private static SnapshotFloor NewFloor() => new(OrderValueSelector.For("updatedAt"));

    private static bool IsOlder(SnapshotFloor floor, StreamRecord record)
    {
        Assert.True(floor.OrderBy.TrySelect(record, out var value, out _));
        return floor.IsOlderThanSnapshot(record, value);
    }

    [Fact]
    public void A_stream_record_strictly_older_than_its_items_snapshot_is_older_and_counted_an_equal_or_newer_one_is_not()
    {
        var floor = NewFloor();
        Assert.True(floor.TryRaiseFromScan(Snapshot("a", 100), out _));

        Assert.True(IsOlder(floor, Change("a", "MODIFY", 99, T0)));
        Assert.False(IsOlder(floor, Change("a", "MODIFY", 100, T0)));
        Assert.False(IsOlder(floor, Change("a", "MODIFY", 101, T0)));
        Assert.False(IsOlder(floor, Change("a", "REMOVE", 100, T0)));
        Assert.True(IsOlder(floor, Change("a", "REMOVE", 50, T0)));
        Assert.False(IsOlder(floor, Change("b", "MODIFY", 1, T0)));
        Assert.Equal(2, floor.Suppressed);
    }

    [Fact]
    public void Reads_of_one_item_keep_the_highest_value_as_its_floor()
    {
        var floor = NewFloor();
        floor.TryRaiseFromScan(Snapshot("a", 100), out _);
        floor.TryRaiseFromScan(Snapshot("a", 300), out _);
        floor.TryRaiseFromScan(Snapshot("a", 200), out _);

        Assert.Equal(1, floor.Count);
        Assert.True(IsOlder(floor, Change("a", "MODIFY", 299, T0)));
        Assert.False(IsOlder(floor, Change("a", "MODIFY", 300, T0)));
    }

    [Fact]
    public void A_snapshot_without_a_usable_order_value_gives_no_floor_and_says_why()
    {
        var floor = NewFloor();

        Assert.False(floor.TryRaiseFromScan(Snapshot("a", updatedAt: null), out var problem));
        Assert.Contains("updatedAt", problem, StringComparison.Ordinal);
        Assert.Equal(0, floor.Count);
    }

    [Fact]
    public void An_item_without_a_floor_forwards_everything()
    {
        var floor = NewFloor();
        floor.TryRaiseFromScan(Snapshot("a", 500), out _);

        Assert.False(IsOlder(floor, Change("b", "INSERT", 1, T0.AddDays(-1))));
    }

    [Fact]
    public void A_released_floor_suppresses_nothing_and_holds_no_items()
    {
        var floor = NewFloor();
        floor.TryRaiseFromScan(Snapshot("a", 100), out _);
        floor.Release();

        Assert.True(floor.IsReleased);
        Assert.Equal(0, floor.Count);
        Assert.False(IsOlder(floor, Change("a", "MODIFY", 1, T0)));
        Assert.False(IsOlder(floor, Change("b", "MODIFY", 1, T0)));
    }

    [Fact]
    public void Past_its_scan_capacity_the_scan_s_floor_is_dropped_and_never_complete_and_a_rebuild_still_fills_it()
    {
        var floor = new SnapshotFloor(OrderValueSelector.For("updatedAt"), maxItemsFromScan: 2);
        Assert.True(floor.TryRaiseFromScan(Snapshot("a", 5), out _));
        Assert.True(floor.TryRaiseFromScan(Snapshot("b", 5), out _));
        floor.MarkScannedWhole(0);
        Assert.Equal(2, floor.Count);
        Assert.True(floor.IsComplete(1));

        Assert.True(floor.TryRaiseFromScan(Snapshot("c", 5), out _));
        Assert.True(floor.ScanFillDropped);
        Assert.Equal(0, floor.Count);
        Assert.False(floor.IsComplete(1));
        Assert.True(floor.TryRaiseFromScan(Snapshot("d", 5), out _));
        Assert.Equal(0, floor.Count);

        // The rebuild from the stream is not bounded: it holds an entry per item changed in the stream.
        Assert.True(floor.TryRaise(Change("a", "MODIFY", 7, T0), out _));
        Assert.True(floor.TryRaise(Change("b", "MODIFY", 7, T0), out _));
        Assert.True(floor.TryRaise(Change("c", "MODIFY", 7, T0), out _));
        Assert.Equal(3, floor.Count);
        Assert.True(IsOlder(floor, Change("c", "MODIFY", 6, T0)));
        Assert.False(IsOlder(floor, Change("d", "MODIFY", 1, T0)));
    }

    [Fact]
    public void The_floor_is_complete_only_when_every_segment_was_scanned_whole_here()
    {
        var floor = NewFloor();
        floor.MarkScannedWhole(0);
        floor.MarkScannedWhole(2);
        Assert.False(floor.IsComplete(3));

        floor.MarkScannedWhole(1);
        Assert.True(floor.IsComplete(3));
    }
}
