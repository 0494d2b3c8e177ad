using Bridge.Forwarding;
using Bridge.Routing;
using Bridge.Telemetry;
using Bridge.Tests.Fakes;

namespace Bridge.Tests.Coordination;

/// <summary>Several engines (workers) share one stream with splits through the in-memory lease store.</summary>
public class LeaseSharingTests
{
    private static readonly Dictionary<string, string?> Parents = new()
    {
        ["A"] = null, ["R"] = null, ["S"] = null, ["B"] = "A", ["C"] = "A", ["D"] = "B", ["E"] = "B",
    };

    [Fact]
    public async Task Three_workers_forward_a_split_lineage_once_each_with_parents_finished_before_children_start()
    {
        var stream = new InMemoryStream();
        foreach (var root in new[] { "A", "R", "S" })
        {
            stream.AddShard(root);
        }

        var expected = new List<(string Shard, string Sequence)>();
        void Fill(string shard)
        {
            for (var i = 0; i < 40; i++)
            {
                expected.Add((shard, stream.Append(shard, "room-" + (i % 7)).SequenceNumber.Value));
            }
        }

        Fill("A");
        Fill("R");
        Fill("S");
        stream.Split("A", "B", "C");
        Fill("B");
        Fill("C");
        stream.Split("B", "D", "E");
        Fill("D");
        Fill("E");

        // Slow enough answers that the first worker cannot finish the lot before the others take their share.
        using var harness = new EngineHarness(stream, new FlakyKinesis(shardCount: 4, seed: 7) { RequestFailure = 0.1, MaxLatency = TimeSpan.FromMilliseconds(20) });
        using var stop = new CancellationTokenSource();
        var engines = Enumerable.Range(1, 3).Select(i => Task.Run(() => NewEngine(harness, "w" + i).RunAsync(stop.Token))).ToList();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (!harness.Delivered().Select(d => (d.ShardId, d.SequenceNumber)).ToHashSet().IsSupersetOf(expected))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "not everything was forwarded in time");
            Assert.DoesNotContain(engines, e => e.IsFaulted);

            await Task.Delay(5);
        }

        await stop.CancelAsync();
        await Task.WhenAll(engines).WaitAsync(TimeSpan.FromSeconds(30));

        var delivered = harness.Delivered();
        Assert.Equal(expected.Count, delivered.Count);
        Assert.True(harness.Store.Takers.Count >= 2, $"the work was shared ({string.Join(", ", harness.Store.Takers)})");
        foreach (var (child, parent) in Parents.Where(p => p.Value is not null))
        {
            var lastOfParent = delivered.Select((d, i) => (d, i)).Where(x => x.d.ShardId == parent).Max(x => x.i);
            var firstOfChild = delivered.Select((d, i) => (d, i)).Where(x => x.d.ShardId == child).Min(x => x.i);
            Assert.True(lastOfParent < firstOfChild, $"{child} started before its parent {parent} was finished");
        }

        foreach (var shard in Parents.Keys)
        {
            var lease = harness.Store.Get(stream.StreamArn, shard)!;
            Assert.Null(lease.Owner);
            Assert.Equal(shard is "A" or "B", lease.IsFinished);
        }
    }

    [Fact]
    public async Task A_worker_whose_lease_was_taken_stops_that_shard_writes_no_checkpoint_and_sends_nothing_more_of_it()
    {
        var stream = new InMemoryStream();
        stream.AddShard("A");
        stream.AddShard("B");
        using var harness = new EngineHarness(stream);
        stream.AppendRooms("A", 30, 3);
        stream.AppendRooms("B", 30, 3);

        using var stop = new CancellationTokenSource();
        // A long lease: the intruder never renews, and w1 must not take A back (as expired) within the test.
        var run = NewEngine(harness, "w1", TimeSpan.FromSeconds(30)).RunAsync(stop.Token);
        await WaitUntilAsync(() => harness.Delivered().Count == 60 && harness.Store.Get(stream.StreamArn, "A")?.Checkpoint is not null);

        // Another worker takes A (as after an expiry): w1 must notice at its next renewal and stop A at once.
        var seen = harness.Store.Get(stream.StreamArn, "A")!;
        var stolen = await harness.Store.TryTakeAsync(seen, "intruder", default);
        Assert.NotNull(stolen);
        await Task.Delay(300);
        stream.AppendRooms("A", 20, 3);
        stream.AppendRooms("B", 20, 3);

        await WaitUntilAsync(() => harness.Delivered().Count(d => d.ShardId == "B") == 50);
        await Task.Delay(300);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(30, harness.Delivered().Count(d => d.ShardId == "A"));
        Assert.Equal(stolen, harness.Store.Get(stream.StreamArn, "A"));
        Assert.Null(harness.Store.Get(stream.StreamArn, "B")!.Owner);
    }

    [Fact]
    public async Task A_finished_parent_lease_is_deleted_after_the_cleanup_delay_and_never_created_again()
    {
        var stream = new InMemoryStream();
        stream.AddShard("A");
        stream.AppendRooms("A", 10, 3);

        stream.Split("A", "B", "C");
        stream.Append("B", "room-1");
        stream.Append("C", "room-2");
        using var harness = new EngineHarness(stream);
        using var stop = new CancellationTokenSource();
        var options = EngineHarness.FastOptions();
        options.Leases.CleanupDelay = TimeSpan.FromMilliseconds(100);
        var run = NewEngine(harness, options).RunAsync(stop.Token);

        // A's lease goes once both children have checkpoints; A is still listed by the stream, yet gets no new lease.
        await WaitUntilAsync(() => harness.Delivered().Count == 12 && harness.Store.Get(stream.StreamArn, "A") is null);
        await Task.Delay(300);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(harness.Store.Get(stream.StreamArn, "A"));
        Assert.Equal(12, harness.Delivered().Count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "timed out");
            await Task.Delay(5);
        }
    }

    private static BridgeEngine NewEngine(EngineHarness harness, string workerId, TimeSpan? leaseDuration = null)
    {
        var options = EngineHarness.FastOptions();
        options.Leases.WorkerId = workerId;
        options.Leases.Duration = leaseDuration ?? options.Leases.Duration;
        return NewEngine(harness, options);
    }

    private static BridgeEngine NewEngine(EngineHarness harness, BridgeOptions options) =>
        new(
            options,
            [new ResolvedSource(harness.Stream.TableName, harness.Stream.StreamArn, new PartitionKeySelector("roomId"))],
            harness.Stream,
            harness.Kinesis,
            harness.Store,
            TimeProvider.System,
            harness.Loggers,
            new BridgeMetrics(harness.MeterFactory, TimeProvider.System));
}
