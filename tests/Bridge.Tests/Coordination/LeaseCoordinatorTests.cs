using Bridge.Testing;
using Bridge.Coordination;
using Bridge.Ordering;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bridge.Tests.Coordination;

/// <summary>The coordinators alone (no consumers) over the in-memory store, with 1 s leases renewed every 100 ms, on a
/// fake clock that the tests move forward.</summary>
/// <remarks>
/// Only the tests move time, in steps of <see cref="Step"/> with a moment of real time between them for the loops to
/// run. A coordinator can therefore never see more time pass than the test allowed, which makes the safety checks
/// (nothing taken too early, a child never before its parent) exact; a slow machine can only make things happen later
/// on the fake clock, which the liveness checks allow for with generous limits.
/// </remarks>
public class LeaseCoordinatorTests
{
    private const string Stream = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/s";
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Renew = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Six_leases_converge_to_two_each_over_three_workers_then_a_fourth_takes_its_share()
    {
        var store = await StoreWithLeasesAsync(6);
        await using var workers = new Workers(store, _time);
        workers.Start("w1", "w2", "w3");
        await AdvanceUntilAsync(() => Loads(store, "w1", "w2", "w3").All(n => n == 2));

        // The newcomer asks the most loaded for one lease at a time; a holder without consumers never answers, so
        // each request is granted by taking the lease after a lease duration.
        workers.Start("w4");
        await AdvanceUntilAsync(() => Loads(store, "w1", "w2", "w3", "w4") is var loads && loads.Sum() == 6 && loads.Max() - loads.Min() <= 1);
    }

    [Fact]
    public async Task A_dead_workers_leases_are_taken_only_after_they_went_unrenewed_for_a_lease_duration()
    {
        var store = await StoreWithLeasesAsync(4);
        await using var workers = new Workers(store, _time);
        workers.Start("w1", "w2");
        await AdvanceUntilAsync(() => Loads(store, "w1", "w2").All(n => n == 2));

        var dead = (await store.ListAsync([Stream], default)).Where(l => l.Owner == "w1").Select(l => l.LeaseKey).ToHashSet();
        await workers.CrashAsync("w1");
        var took = await AdvanceUntilAsync(() => store.ListAsync([Stream], default).Result.Where(l => dead.Contains(l.LeaseKey)).All(l => l.Owner == "w2"));

        // Expiry is measured by w2's clock from the last counter change it saw, which was at most one renew interval
        // before the crash: never sooner than that after it, on any machine.
        Assert.True(took >= Duration - Renew, $"taken {took.TotalMilliseconds} ms after the crash");
    }

    [Fact]
    public async Task A_child_lease_is_not_taken_before_its_parent_is_finished()
    {
        var store = new InMemoryLeaseStore();
        await store.TryCreateAsync(Lease.New(Stream, "parent", null), default);
        await store.TryCreateAsync(Lease.New(Stream, "child", "parent"), default);
        await using var workers = new Workers(store, _time);
        workers.Start("w1");
        await AdvanceUntilAsync(() => store.Get(Stream, "parent")?.Owner == "w1");

        // Many cycles and lease durations: the child stays free while its parent is held and open.
        await AdvanceByAsync(5 * Duration);
        Assert.Null(store.Get(Stream, "child")!.Owner);

        var parent = workers.Coordinator("w1").Find(Lease.KeyOf(Stream, "parent"))!;
        Assert.True(await parent.TryCheckpointAsync(Checkpoint.ShardEnd, default));
        await AdvanceUntilAsync(() => store.Get(Stream, "child")?.Owner == "w1");
    }

    [Fact]
    public async Task Merge_mode_one_worker_holds_the_group_and_every_shard_the_others_take_all_only_after_it_died()
    {
        var store = await StoreWithLeasesAsync(4);
        var group = MergeGroup.KeyOf([Stream]);
        await using var workers = new Workers(store, _time, group);
        workers.Start("w1", "w2", "w3");
        await AdvanceUntilAsync(() => Loads(store, "w1", "w2", "w3").Count(n => n == 4) == 1);

        // Many cycles and lease durations: nothing moves, no shard is shared, the standbys take nothing.
        await AdvanceByAsync(3 * Duration);
        var loads = Loads(store, "w1", "w2", "w3");
        Assert.Equal([0, 0, 4], loads.Order());
        var holder = new[] { "w1", "w2", "w3" }[Array.IndexOf(loads, 4)];
        Assert.Equal(holder, store.Get(MergeGroup.StreamArn, group[(MergeGroup.StreamArn.Length + 1)..])!.Owner);

        await workers.CrashAsync(holder);
        var took = await AdvanceUntilAsync(() => Loads(store, "w1", "w2", "w3") is var after && after.Count(n => n == 4) == 1 && after[Array.IndexOf(loads, 4)] == 0);
        Assert.True(took >= Duration - Renew, $"taken {took.TotalMilliseconds} ms after the crash");
        var successor = (await store.ListAsync([Stream], default)).Select(l => l.Owner).Distinct().Single();
        Assert.NotEqual(holder, successor);
        Assert.Equal(successor, store.Get(MergeGroup.StreamArn, group[(MergeGroup.StreamArn.Length + 1)..])!.Owner);
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

    /// <summary>Moves the fake clock until <paramref name="condition"/> holds; returns how much fake time that took.</summary>
    private async Task<TimeSpan> AdvanceUntilAsync(Func<bool> condition)
    {
        var start = _time.GetUtcNow();
        while (!condition())
        {
            Assert.True(_time.GetUtcNow() - start < Limit, $"not within {Limit.TotalSeconds} s on the fake clock");
            await StepAsync();
        }

        return _time.GetUtcNow() - start;
    }

    private async Task AdvanceByAsync(TimeSpan span)
    {
        for (var moved = TimeSpan.Zero; moved < span; moved += Step)
        {
            await StepAsync();
        }
    }

    private async Task StepAsync()
    {
        _time.Advance(Step);

        // Real time, for the loops whose timers just fired to run their cycle.
        await Task.Delay(1);
    }

    /// <summary>Coordinator loops by worker id; <see cref="CrashAsync"/> stops one without releasing anything.</summary>
    private sealed class Workers(InMemoryLeaseStore store, TimeProvider time, string? groupLeaseKey = null) : IAsyncDisposable
    {
        private readonly Dictionary<string, (LeaseCoordinator Coordinator, CancellationTokenSource Stop, Task Run)> _running = [];

        public void Start(params string[] ids)
        {
            foreach (var id in ids)
            {
                var options = new LeaseOptions { Duration = Duration, RenewInterval = Renew, WorkerId = id };
                var coordinator = new LeaseCoordinator(store, [Stream], options, time, NullLogger.Instance, groupLeaseKey: groupLeaseKey);
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
