using Bridge.Testing;
using Bridge.Coordination;
using Bridge.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Tests.Coordination;

/// <summary>The coordinators alone (no consumers) over the in-memory store, with 1 s leases renewed every 100 ms.</summary>
public class LeaseCoordinatorTests
{
    private const string Stream = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/s";
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Six_leases_converge_to_two_each_over_three_workers_then_a_fourth_takes_its_share()
    {
        var store = await StoreWithLeasesAsync(6);
        await using var workers = new Workers(store);
        workers.Start("w1", "w2", "w3");
        await WaitUntilAsync(() => Loads(store, "w1", "w2", "w3").All(n => n == 2));

        // The newcomer asks the most loaded for one lease at a time; a holder without consumers never answers, so
        // each request is granted by taking the lease after a lease duration.
        workers.Start("w4");
        await WaitUntilAsync(() => Loads(store, "w1", "w2", "w3", "w4") is var loads && loads.Sum() == 6 && loads.Max() - loads.Min() <= 1);
    }

    [Fact]
    public async Task A_dead_workers_leases_are_taken_only_after_they_went_unrenewed_for_a_lease_duration()
    {
        var store = await StoreWithLeasesAsync(4);
        await using var workers = new Workers(store);
        workers.Start("w1", "w2");
        await WaitUntilAsync(() => Loads(store, "w1", "w2").All(n => n == 2));

        var dead = (await store.ListAsync([Stream], default)).Where(l => l.Owner == "w1").Select(l => l.LeaseKey).ToHashSet();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await workers.CrashAsync("w1");
        await WaitUntilAsync(() => store.ListAsync([Stream], default).Result.Where(l => dead.Contains(l.LeaseKey)).All(l => l.Owner == "w2"));

        // Expiry is measured by w2's own clock from the last counter change it saw, so not before about a duration
        // (less the renew interval, and whatever w1's last renewal was late by on a loaded machine).
        Assert.InRange(clock.Elapsed, Duration / 2, Duration + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_child_lease_is_not_taken_before_its_parent_is_finished()
    {
        var store = new InMemoryLeaseStore();
        await store.TryCreateAsync(Lease.New(Stream, "parent", null), default);
        await store.TryCreateAsync(Lease.New(Stream, "child", "parent"), default);
        await using var workers = new Workers(store);
        workers.Start("w1");
        await WaitUntilAsync(() => store.Get(Stream, "parent")?.Owner == "w1");
        await Task.Delay(300);
        Assert.Null(store.Get(Stream, "child")!.Owner);

        var parent = workers.Coordinator("w1").Find(Lease.KeyOf(Stream, "parent"))!;
        Assert.True(await parent.TryCheckpointAsync(Checkpoint.ShardEnd, default));
        await WaitUntilAsync(() => store.Get(Stream, "child")?.Owner == "w1");
    }

    private static async Task<InMemoryLeaseStore> StoreWithLeasesAsync(int count)
    {
        var store = new InMemoryLeaseStore();
        for (var i = 0; i < count; i++)
        {
            await store.TryCreateAsync(Lease.New(Stream, $"shard-{i}", null), default);
        }

        return store;
    }

    private static int[] Loads(InMemoryLeaseStore store, params string[] workers)
    {
        var leases = store.ListAsync([Stream], default).Result;
        return [.. workers.Select(w => leases.Count(l => l.Owner == w))];
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }

    /// <summary>Coordinator loops by worker id; <see cref="CrashAsync"/> stops one without releasing anything.</summary>
    private sealed class Workers(InMemoryLeaseStore store) : IAsyncDisposable
    {
        private readonly Dictionary<string, (LeaseCoordinator Coordinator, CancellationTokenSource Stop, Task Run)> _running = [];

        public void Start(params string[] ids)
        {
            foreach (var id in ids)
            {
                var options = new LeaseOptions { Duration = Duration, RenewInterval = TimeSpan.FromMilliseconds(100), WorkerId = id };
                var coordinator = new LeaseCoordinator(store, [Stream], options, TimeProvider.System, NullLogger.Instance);
                var stop = new CancellationTokenSource();
                _running[id] = (coordinator, stop, Task.Run(() => coordinator.RunAsync(stop.Token, stop.Token)));
            }
        }

        public LeaseCoordinator Coordinator(string id) => _running[id].Coordinator;

        public async Task CrashAsync(string id)
        {
            var (_, stop, run) = _running[id];
            await stop.CancelAsync();
            await run;
            _running.Remove(id);
            stop.Dispose();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var id in _running.Keys.ToList())
            {
                await CrashAsync(id);
            }
        }
    }
}
