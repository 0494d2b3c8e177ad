using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Bridge.Backfill;
using Bridge.Ordering;

namespace Bridge.Benchmarks.Backfill;

/// <summary><c>floor-memory</c>: what a <see cref="SnapshotFloor"/> costs per item (Merge mode with <c>OrderBy</c> after a
/// snapshot): the heap it holds once filled, how fast the scan fills it, and what checking one stream record against it costs.</summary>
internal static class FloorMemoryCommand
{
    public static int Run(bool smoke)
    {
        var table = new ResultTable("SnapshotFloor: retained heap per item, fill and check rates (one thread)",
            ["items", "retained MB", "bytes/item", "fill items/s", "check ns/record"]);
        foreach (var items in smoke ? new[] { 10_000 } : [100_000, 1_000_000, 4_000_000])
        {
            var run = BackfillRun.Begin("Rooms", BackfillRun.SnapshotRunId, 16, DateTimeOffset.UnixEpoch);
            var snapshots = new SnapshotRecord(run, ["roomId", "ts"]);
            var orderBy = OrderValueSelector.For("updatedAt");
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var floor = new SnapshotFloor(orderBy);
            var fill = Stopwatch.StartNew();
            for (var i = 0; i < items; i++)
            {
                if (!floor.TryRaiseFromScan(snapshots.Create(Item(i), "e", DateTimeOffset.UnixEpoch, 100), out var problem))
                {
                    Console.Error.WriteLine($"floor-memory: {problem}");
                    return 1;
                }
            }

            fill.Stop();
            var after = GC.GetTotalMemory(forceFullCollection: true);

            // The check a shard consumer makes per stream record: its key read from the record, then one lookup.
            var probe = snapshots.Create(Item(items / 2), "e", DateTimeOffset.UnixEpoch, 100);
            orderBy.TrySelect(probe, out var value, out _);
            const int checks = 1_000_000;
            var check = Stopwatch.StartNew();
            for (var i = 0; i < checks; i++)
            {
                floor.IsOlderThanSnapshot(probe, value);
            }

            check.Stop();
            table.Add(
                items.ToString("N0", CultureInfo.InvariantCulture),
                ((after - before) / 1e6).ToString("F1", CultureInfo.InvariantCulture),
                ((after - before) / (double)items).ToString("F1", CultureInfo.InvariantCulture),
                (items / fill.Elapsed.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture),
                (check.Elapsed.TotalNanoseconds / checks).ToString("F0", CultureInfo.InvariantCulture));
            GC.KeepAlive(floor);
        }

        table.Print();
        return 0;
    }

    private static Dictionary<string, AttributeValue> Item(int i) => new()
    {
        ["roomId"] = new AttributeValue { S = $"room-{i % 997:D3}" },
        ["ts"] = new AttributeValue { N = i.ToString(CultureInfo.InvariantCulture) },
        ["updatedAt"] = new AttributeValue { N = (1_796_000_000_000L + i).ToString(CultureInfo.InvariantCulture) },
    };
}
