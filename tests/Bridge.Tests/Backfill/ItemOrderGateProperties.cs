using Bridge.Backfill;
using Bridge.Ordering;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using static Bridge.Tests.Backfill.SnapshotFloorProperties;
using StreamRecordOf = Bridge.Aws.DynamoDbStreams.StreamRecord;

namespace Bridge.Tests.Backfill;

/// <summary>
/// An on-demand backfill in the merge group's worker, through the <see cref="ItemOrderGate"/>, under random schedules:
/// random item histories (inserts, updates, deletes, deleted keys inserted again; one write a minute, each stamped later
/// than the last), stream records released by the merge in write order after random delays, each item read by the scan
/// at a random time after the gate opened and passing the gate after a random page delay, generations sealed and dropped
/// as the watermark moves (with a random hold, down to none), and maybe a crash: the gate is lost, the stream resumes
/// from a random checkpoint behind the first unsent record with the gate rebuilt from there to the tip, and every item
/// whose snapshot was not through the gate (and some that were) is read again. Per item, what a consumer gets never
/// goes back (a REMOVE ranks after the state it deletes), and upserting it ends with exactly the table.
/// </summary>
public class ItemOrderGateProperties
{
    private sealed record Scenario(int Seed, int Items, int Steps, int MaxReleaseDelay, int MaxPageDelay, int HoldMinutes, bool Crash)
    {
        public override string ToString() =>
            $"seed={Seed} items={Items} steps={Steps} maxReleaseDelay={MaxReleaseDelay} maxPageDelay={MaxPageDelay} hold={HoldMinutes} crash={Crash}";
    }

    private static readonly Gen<Scenario> Scenarios =
        from seed in Gen.Int
        from items in Gen.Int[1, 6]
        from steps in Gen.Int[4, 60]
        from releaseDelay in Gen.Int[0, 5]
        from pageDelay in Gen.Int[0, 5]
        from hold in Gen.Int[0, 2]
        from crash in Gen.Bool
        select new Scenario(seed, items, steps, releaseDelay, pageDelay, hold, crash);

    /// <summary>A stream record of the history.</summary>
    private sealed record Change(int Item, string EventName, long Value, int Minute, StreamRecordOf Record);

    /// <summary>What happens at <paramref name="Time"/> (minutes): a change released, or an item's page read, or through the gate.</summary>
    private sealed record Event(double Time, double Tie, EventKind Kind, int Index);

    private enum EventKind
    {
        Release,
        Read,
        Pass,
    }

    [Fact]
    public async Task No_items_state_goes_back_and_the_last_state_of_every_item_is_the_tables() =>
        await Scenarios.SampleAsync(CheckAsync, iter: 2000, threads: 1, print: s => s.ToString());

    private static async Task CheckAsync(Scenario scenario)
    {
        var random = new Random(scenario.Seed);
        var history = Writes(scenario.Items, scenario.Steps, random);
        var current = new long?[scenario.Items];
        var changes = new List<Change>();
        foreach (var write in history)
        {
            var value = write.EventName == "REMOVE" ? current[write.Item]!.Value : Millis(write.Minute);
            current[write.Item] = write.EventName == "REMOVE" ? null : value;
            changes.Add(new Change(write.Item, write.EventName, value, write.Minute, SnapshotFloorTests.Change(Id(write.Item), write.EventName, value, T0.AddMinutes(write.Minute))));
        }

        var time = new FakeTimeProvider(T0);
        var sent = new List<(int Item, string Kind, long Value)>();
        var openAt = random.Next(0, scenario.Steps + 1);
        var crashAt = scenario.Crash ? openAt + (random.NextDouble() * (scenario.Steps + 3 - openAt)) : double.MaxValue;

        // Before the crash (or without one): the gate opens at openAt; changes released before that go straight out.
        var reads = Enumerable.Range(0, scenario.Items).Select(_ => openAt + (random.NextDouble() * (scenario.Steps + 2 - openAt))).ToArray();
        var first = new Attempt(scenario, random, time, changes, history, sent, openAt);
        var released = await first.RunAsync(firstChange: 0, Releases(changes, 0, 0, scenario, random), reads, until: crashAt);

        if (scenario.Crash)
        {
            // The stream resumes at a checkpoint at or behind the first unsent change; the new gate is rebuilt from there to
            // the tip, which holds at least every write made before the crash (every write a snapshot sent could have read).
            var checkpoint = random.Next(0, released + 1);
            var tip = Math.Min(changes.Count, changes.Count(c => c.Minute <= crashAt) + random.Next(0, 3));
            var again = Enumerable.Range(0, scenario.Items)
                .Select(item => !first.Passed[item] || random.Next(2) == 0 ? crashAt + (random.NextDouble() * (scenario.Steps + 2)) : double.NaN)
                .ToArray();
            var second = new Attempt(scenario, random, time, changes, history, sent, openAt: crashAt);
            foreach (var change in changes.Skip(checkpoint).Take(tip - checkpoint))
            {
                Assert.True(second.Gate.TryRaise(change.Record, out _));
            }

            await second.RunAsync(checkpoint, Releases(changes, checkpoint, crashAt, scenario, random), again, until: double.MaxValue);
        }

        for (var item = 0; item < scenario.Items; item++)
        {
            var values = sent.Where(s => s.Item == item).ToList();
            for (var i = 1; i < values.Count; i++)
            {
                Assert.True(Rank(values[i]) >= Rank(values[i - 1]), $"item {item} went back: {string.Join(", ", values.Select(v => $"{v.Kind} {v.Value}"))}");
            }

            long? replica = values.Count == 0 || values[^1].Kind == "REMOVE" ? null : values[^1].Value;
            Assert.True(replica == current[item], $"item {item}: replica {replica}, table {current[item]}: {string.Join(", ", values.Select(v => $"{v.Kind} {v.Value}"))}");
        }
    }

    /// <summary>Release times of the changes from <paramref name="from"/> on: in write order (the merge keeps an item's
    /// order, and later writes carry later values), each after its write and after <paramref name="notBefore"/>.</summary>
    private static double[] Releases(List<Change> changes, int from, double notBefore, Scenario scenario, Random random)
    {
        var releases = new double[changes.Count];
        var last = notBefore;
        for (var i = from; i < changes.Count; i++)
        {
            last = Math.Max(last, Math.Max(notBefore, changes[i].Minute) + (random.NextDouble() * scenario.MaxReleaseDelay));
            releases[i] = last;
        }

        return releases;
    }

    private static long Rank((int Item, string Kind, long Value) sent) => (sent.Value * 2) + (sent.Kind == "REMOVE" ? 1 : 0);

    /// <summary>One attempt of the worker: its gate, its releases and its scan, played in time order.</summary>
    private sealed class Attempt(Scenario scenario, Random random, FakeTimeProvider time, List<Change> changes, List<SnapshotFloorProperties.Write> history, List<(int Item, string Kind, long Value)> sent, double openAt)
    {
        public ItemOrderGate Gate { get; } = new(OrderValueSelector.For("updatedAt"), TimeSpan.FromMinutes(scenario.HoldMinutes), time);

        /// <summary>Items whose snapshot went through this attempt's gate.</summary>
        public bool[] Passed { get; } = new bool[scenario.Items];

        /// <returns>How many changes, from the first, were released (sent or held back by the gate) before <paramref name="until"/>.</returns>
        public async Task<int> RunAsync(int firstChange, double[] releases, double[] reads, double until)
        {
            var events = new List<Event>();
            events.AddRange(Enumerable.Range(firstChange, changes.Count - firstChange).Select(i => new Event(releases[i], i, EventKind.Release, i)));
            for (var item = 0; item < reads.Length; item++)
            {
                if (!double.IsNaN(reads[item]))
                {
                    events.Add(new Event(reads[item], random.NextDouble(), EventKind.Read, item));
                    events.Add(new Event(reads[item] + (random.NextDouble() * scenario.MaxPageDelay), random.NextDouble(), EventKind.Pass, item));
                }
            }

            var pages = new ItemOrderGate.PageInFlight?[scenario.Items];
            var snapshots = new long?[scenario.Items];
            var next = firstChange;
            foreach (var e in events.Where(e => e.Time < until).OrderBy(e => e.Time).ThenBy(e => e.Kind == EventKind.Read ? 0 : 1).ThenBy(e => e.Tie))
            {
                var now = T0.AddMinutes(e.Time);
                if (now > time.GetUtcNow())
                {
                    time.SetUtcNow(now);
                }

                if (!Gate.IsOpen && e.Time >= openAt)
                {
                    Gate.Open();
                }

                switch (e.Kind)
                {
                    case EventKind.Release:
                        var change = changes[e.Index];
                        await SendAsync(change.Item, change.EventName, change.Value, isSnapshot: false, change.EventName == "REMOVE");
                        next = e.Index + 1;
                        break;

                    case EventKind.Read:
                        // A page's read: the item as every write up to now left it.
                        pages[e.Index] = Gate.PageRead(now);
                        snapshots[e.Index] = StateAt(history, e.Index, (int)Math.Floor(e.Time)) is { } minute ? Millis(minute) : null;
                        break;

                    case EventKind.Pass:
                        if (snapshots[e.Index] is { } value)
                        {
                            await SendAsync(e.Index, "snapshot", value, isSnapshot: true, removes: false);
                        }

                        pages[e.Index]!.Value.Dispose();
                        Passed[e.Index] = true;
                        break;
                }

                Gate.Evict(Watermark(next));
            }

            return next;
        }

        /// <summary>The merge watermark: nothing below it is still to be released (changes are released in write order).</summary>
        private long Watermark(int next) =>
            changes.Skip(next).Select(c => c.Value).DefaultIfEmpty(Millis(scenario.Steps + 10)).Min() - 1;

        private async Task SendAsync(int item, string kind, long value, bool isSnapshot, bool removes)
        {
            if (!Gate.IsOpen)
            {
                sent.Add((item, kind, value));
                return;
            }

            Assert.True(ItemKey.TryRead(SnapshotFloorTests.Change(Id(item), "MODIFY", 0, T0).Json.Span, out var key));
            await Gate.TrySendAsync(new GatedItem(key, removes), value, isSnapshot, () => { sent.Add((item, kind, value)); return ValueTask.CompletedTask; }, CancellationToken.None);
        }
    }
}
