using Bridge.Backfill;
using Bridge.Ordering;
using Microsoft.Extensions.Time.Testing;

namespace Bridge.Tests.Backfill;

/// <summary>The gate an on-demand run's snapshot records and the released stream records pass, one at a time.</summary>
public class ItemOrderGateTests
{
    private static readonly TimeSpan Hold = TimeSpan.FromMinutes(1);
    private static readonly GatedItem Room1 = new(1, Removes: false);
    private static readonly GatedItem Room2 = new(2, Removes: false);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-03T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private ItemOrderGate NewGate() => new(OrderValueSelector.For("updatedAt"), Hold, _time);

    [Fact]
    public async Task A_record_older_than_its_items_newest_sent_state_is_not_sent_whichever_path_sent_that_state()
    {
        var gate = NewGate();
        var sent = new List<(GatedItem, long)>();

        // The change at 200 went out first: the scan's older read of the item (150) is not sent; its own later change is.
        Assert.True(await TrySendAsync(gate, sent, Room1, 200, isSnapshot: false));
        Assert.False(await TrySendAsync(gate, sent, Room1, 150, isSnapshot: true));
        Assert.True(await TrySendAsync(gate, sent, Room1, 250, isSnapshot: false));

        // The snapshot at 300 went out first: a change at 280 the merge stage still held is older, one equal to it is not.
        Assert.True(await TrySendAsync(gate, sent, Room2, 300, isSnapshot: true));
        Assert.False(await TrySendAsync(gate, sent, Room2, 280, isSnapshot: false));
        Assert.True(await TrySendAsync(gate, sent, Room2, 300, isSnapshot: false));

        Assert.Equal([(Room1, 200), (Room1, 250), (Room2, 300), (Room2, 300)], sent);
        Assert.Equal(1, gate.SuppressedChanges);
        Assert.Equal(1, gate.SuppressedSnapshots);
    }

    [Fact]
    public async Task A_remove_ranks_after_the_state_it_deletes_so_a_snapshot_of_that_state_read_before_the_delete_is_older()
    {
        var gate = NewGate();
        var sent = new List<(GatedItem, long)>();

        // The scan read the item at 200; it was deleted (the REMOVE carries 200, its old image's) and that went out first.
        Assert.True(await TrySendAsync(gate, sent, Room1 with { Removes = true }, 200, isSnapshot: false));
        Assert.False(await TrySendAsync(gate, sent, Room1, 200, isSnapshot: true));

        // The other way round, the REMOVE still follows the snapshot of the state it deletes.
        Assert.True(await TrySendAsync(gate, sent, Room2, 300, isSnapshot: true));
        Assert.True(await TrySendAsync(gate, sent, Room2 with { Removes = true }, 300, isSnapshot: false));
        Assert.Equal([(Room1 with { Removes = true }, 200), (Room2, 300), (Room2 with { Removes = true }, 300)], sent);
    }

    [Fact]
    public async Task The_next_record_is_checked_only_once_the_one_before_was_appended_to_the_sink()
    {
        var gate = NewGate();
        var firstAppend = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = new List<long>();
        var first = gate.TrySendAsync(Room1, 200, isSnapshot: false, async () => { await firstAppend.Task; order.Add(200); }, CancellationToken.None).AsTask();

        // A snapshot checked before the change reached the sink could be appended before it: it waits its turn.
        var second = gate.TrySendAsync(Room1, 100, isSnapshot: true, () => { order.Add(100); return ValueTask.CompletedTask; }, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        firstAppend.SetResult();
        Assert.True(await first);
        Assert.False(await second);
        Assert.Equal([200], order);
    }

    [Fact]
    public async Task A_generation_is_dropped_once_the_watermark_passed_it_and_no_page_read_before_it_is_still_going_through()
    {
        var gate = NewGate();
        gate.Open();
        var page = gate.PageRead(_time.GetUtcNow());
        Assert.True(await TrySendAsync(gate, [], Room1, 500, isSnapshot: true));

        _time.Advance(ItemOrderGate.GenerationSpan);
        var sealedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        gate.Evict(watermark: 0);
        Assert.Equal(1, gate.Count);

        // The watermark has passed the generation and its hold, but a page read before it was sealed is still going through.
        var passed = sealedAt + (long)Hold.TotalMilliseconds + 1;
        gate.Evict(passed);
        Assert.False(await TrySendAsync(gate, [], Room1, 400, isSnapshot: false));

        page.Dispose();
        gate.Evict(sealedAt + (long)Hold.TotalMilliseconds);
        Assert.Equal(1, gate.Count);
        gate.Evict(passed);
        Assert.Equal(0, gate.Count);
        Assert.True(gate.IsOpen);
    }

    [Fact]
    public async Task A_rebuild_raises_each_item_to_its_newest_state_in_the_stream()
    {
        var gate = NewGate();
        Assert.True(gate.TryRaise(SnapshotFloorTests.Change("room-1", "MODIFY", 300, _time.GetUtcNow()), out _));
        Assert.True(gate.TryRaise(SnapshotFloorTests.Change("room-1", "INSERT", 200, _time.GetUtcNow()), out _));
        Assert.False(gate.TryRaise(SnapshotFloorTests.Snapshot("room-2", updatedAt: null), out var problem));
        Assert.NotNull(problem);
        Assert.Equal(1, gate.Count);

        Assert.True(GatedItem.TryRead(SnapshotFloorTests.Change("room-1", "MODIFY", 0, _time.GetUtcNow()), out var room1));
        Assert.False(await TrySendAsync(gate, [], room1, 250, isSnapshot: false));
    }

    private static async Task<bool> TrySendAsync(ItemOrderGate gate, List<(GatedItem, long)> sent, GatedItem item, long value, bool isSnapshot) =>
        await gate.TrySendAsync(item, value, isSnapshot, () => { sent.Add((item, value)); return ValueTask.CompletedTask; }, CancellationToken.None);
}
