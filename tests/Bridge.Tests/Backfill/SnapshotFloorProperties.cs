using Bridge.Backfill;
using Bridge.Ordering;
using CsCheck;
using StreamRecordOf = Bridge.Aws.DynamoDbStreams.StreamRecord;

namespace Bridge.Tests.Backfill;

/// <summary>
/// Snapshot, then stream, through the <see cref="SnapshotFloor"/>, under random item histories (inserts, updates, deletes,
/// one write a minute, each stamped later than the last, a deleted key inserted again) and random scan read times: per item,
/// the order values a consumer gets never decrease, and upserting them ends with exactly the table. With a crash during the
/// scan, part of the snapshot is sent by an attempt whose floors are lost; the next attempt scans the rest and rebuilds the
/// floor from the stream. With a crash while the stream is read, the next attempt rebuilds it from the checkpoint. A
/// rebuild reads the stream at least up to the scan's last write (its tip then), and maybe further.
/// </summary>
public class SnapshotFloorProperties
{
    internal static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-03T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private sealed record Scenario(int Seed, int Items, int Steps, bool Crash, bool StreamCrash, int MaxScanFloorItems)
    {
        public override string ToString() => $"seed={Seed} items={Items} steps={Steps} crash={Crash} streamCrash={StreamCrash} maxScanFloorItems={MaxScanFloorItems}";
    }

    private static readonly Gen<Scenario> Scenarios =
        from seed in Gen.Int
        from items in Gen.Int[1, 6]
        from steps in Gen.Int[4, 60]
        from crash in Gen.Bool
        from streamCrash in Gen.Bool
        from maxScanFloorItems in Gen.Int[0, 7]
        select new Scenario(seed, items, steps, crash, streamCrash, maxScanFloorItems);

    /// <summary>One write: at minute <paramref name="Minute"/>, its order value that minute's epoch milliseconds.</summary>
    internal sealed record Write(int Item, string EventName, int Minute);

    [Fact]
    public void No_items_state_goes_back_and_the_last_state_of_every_item_is_the_tables() =>
        Scenarios.Sample(Check, iter: 2000, print: s => s.ToString());

    private static void Check(Scenario scenario)
    {
        var random = new Random(scenario.Seed);
        var history = Writes(scenario.Items, scenario.Steps, random);
        var floor = new SnapshotFloor(OrderValueSelector.For("updatedAt"), scenario.MaxScanFloorItems);
        var sent = new List<(int Item, string EventName, long Value)>();

        // The scan: each item read at a random minute (after that minute's write); present items are sent as they were then.
        var reads = Enumerable.Range(0, scenario.Items).Select(item => (Item: item, Minute: random.Next(0, scenario.Steps + 1), Lost: false)).ToList();
        if (scenario.Crash)
        {
            // The first attempt read some items before the crash, its floors lost; the second reads what is left, and again some of the first's.
            var crashAt = random.Next(0, scenario.Steps + 1);
            reads = [.. reads.Select(r => r with { Minute = random.Next(0, crashAt + 1), Lost = random.Next(2) == 0 })];
            var again = reads.Where(r => r.Lost && random.Next(2) == 0).Select(r => (r.Item, Minute: random.Next(crashAt, scenario.Steps + 1), Lost: false)).ToList();
            reads = [.. reads.Where(r => r.Lost), .. reads.Where(r => !r.Lost).Select(r => r with { Minute = random.Next(crashAt, scenario.Steps + 1) }), .. again];
        }

        foreach (var (item, minute, lost) in reads)
        {
            if (StateAt(history, item, minute) is { } value)
            {
                var record = SnapshotFloorTests.Snapshot(Id(item), Millis(value));
                if (!lost)
                {
                    Assert.True(floor.TryRaiseFromScan(record, out _));
                }

                sent.Add((item, "INSERT", Millis(value)));
            }
        }

        // The stream, in write order, each write as its record (a REMOVE carries the deleted state's value, from OldImage).
        var current = new long?[scenario.Items];
        var records = new List<(int Item, string EventName, long Value, StreamRecordOf Record)>();
        foreach (var write in history)
        {
            var value = write.EventName == "REMOVE" ? current[write.Item]!.Value : Millis(write.Minute);
            current[write.Item] = write.EventName == "REMOVE" ? null : value;
            records.Add((write.Item, write.EventName, value, SnapshotFloorTests.Change(Id(write.Item), write.EventName, value, T0.AddMinutes(write.Minute))));
        }

        // Every write the scan could have read is in the stream by the time a rebuild reads it to the tip.
        var scanEnd = reads.Select(r => r.Minute).DefaultIfEmpty(0).Max();
        var seenByScan = history.Count(w => w.Minute <= scanEnd);
        if (scenario.Crash || floor.ScanFillDropped)
        {
            Rebuild(floor, records, from: 0, random.Next(seenByScan, records.Count + 1));
        }

        // A crash while the stream is read: the next attempt resumes at the checkpoint with a floor rebuilt from there.
        var checkpoint = scenario.StreamCrash ? random.Next(0, records.Count + 1) : records.Count;
        for (var i = 0; i < records.Count; i++)
        {
            if (i == checkpoint)
            {
                floor = new SnapshotFloor(floor.OrderBy);
                Rebuild(floor, records, from: checkpoint, random.Next(Math.Max(checkpoint, seenByScan), records.Count + 1));
            }

            var (item, eventName, value, record) = records[i];
            Assert.True(floor.OrderBy.TrySelect(record, out var orderValue, out _));
            if (!floor.IsOlderThanSnapshot(record, orderValue))
            {
                sent.Add((item, eventName, value));
            }
        }

        for (var item = 0; item < scenario.Items; item++)
        {
            var values = sent.Where(s => s.Item == item).ToList();
            for (var i = 1; i < values.Count; i++)
            {
                Assert.True(values[i].Value >= values[i - 1].Value, $"item {item} went back: {string.Join(", ", values.Select(v => $"{v.EventName} {v.Value}"))}");
            }

            long? replica = values.Count == 0 || values[^1].EventName == "REMOVE" ? null : values[^1].Value;
            Assert.True(replica == current[item], $"item {item}: replica {replica}, table {current[item]}");
        }
    }

    /// <summary>One write a minute, on a random item: an insert when it is absent, else an update or a delete.</summary>
    internal static List<Write> Writes(int items, int steps, Random random)
    {
        var present = new bool[items];
        var writes = new List<Write>();
        for (var minute = 1; minute <= steps; minute++)
        {
            var item = random.Next(items);
            if (!present[item])
            {
                present[item] = true;
                writes.Add(new Write(item, "INSERT", minute));
            }
            else if (random.Next(4) == 0)
            {
                present[item] = false;
                writes.Add(new Write(item, "REMOVE", minute));
            }
            else
            {
                writes.Add(new Write(item, "MODIFY", minute));
            }
        }

        return writes;
    }

    /// <summary>The minute of the item's state after every write up to <paramref name="minute"/>, or null when absent.</summary>
    internal static int? StateAt(List<Write> history, int item, int minute)
    {
        int? state = null;
        foreach (var write in history.Where(w => w.Item == item && w.Minute <= minute))
        {
            state = write.EventName == "REMOVE" ? null : write.Minute;
        }

        return state;
    }

    /// <summary>What <see cref="FloorRebuild"/> does: every record from the checkpoint to where the tip then was raises its item's floor.</summary>
    private static void Rebuild(SnapshotFloor floor, List<(int Item, string EventName, long Value, StreamRecordOf Record)> records, int from, int to)
    {
        foreach (var (_, _, _, record) in records.Skip(from).Take(to - from))
        {
            Assert.True(floor.TryRaise(record, out _));
        }
    }

    internal static long Millis(int minute) => T0.AddMinutes(minute).ToUnixTimeMilliseconds();

    internal static string Id(int item) => $"item-{item}";
}
