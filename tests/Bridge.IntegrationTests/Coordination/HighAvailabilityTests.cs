using System.Diagnostics;
using Bridge.IntegrationTests.Forwarding;
using Bridge.Testing;
using Xunit.Abstractions;

namespace Bridge.IntegrationTests.Coordination;

/// <summary>
/// Several real bridge processes, started with one identical environment as on one machine (see <see cref="WorkerFleet"/>),
/// share six source tables (DynamoDB Local has one shard per stream, so six tables
/// make six leases), with 3 s leases renewed every second. Measured times are written to the test output.
/// </summary>
public sealed class HighAvailabilityTests(ChatEmulators aws, ITestOutputHelper output) : IClassFixture<ChatEmulators>
{
    private const int Tables = 6;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Six_leases_balance_two_each_over_three_workers_and_a_fourth_takes_its_share_without_duplicates()
    {
        await using var fleet = await WorkerFleet.CreateAsync(aws, "ha-balance", Tables);
        var balanced = await fleet.StartBalancedAsync(100, "w1", "w2", "w3");
        output.WriteLine($"3 workers balanced 2/2/2 after {balanced.TotalSeconds:0.0} s");
        Assert.All((await fleet.LoadsAsync()).Values, count => Assert.Equal(2, count));

        fleet.Start("w4");
        await fleet.WriteAsync(100);
        var joined = await fleet.WaitForBalanceAsync(["w1", "w2", "w3", "w4"], Generous);
        output.WriteLine($"4th worker took its share after {joined.TotalSeconds:0.0} s: {string.Join(", ", (await fleet.LoadsAsync()).Select(kv => $"{kv.Key}={kv.Value}"))}");
        Assert.InRange((await fleet.LoadsAsync()).GetValueOrDefault("w4"), 1, 2);

        await fleet.WriteAsync(50);

        // Balancing hands leases over gracefully (drain, checkpoint, release), so it re-sends nothing.
        fleet.AssertEvery(await fleet.FinishAsync(), report => report.ExactlyOnceInOrder);
    }

    [Fact]
    public async Task Kill_9_of_one_of_three_workers_loses_nothing_and_its_leases_are_taken_over_within_duration_plus_renew_interval()
    {
        await using var fleet = await WorkerFleet.CreateAsync(aws, "ha-kill", Tables);
        var load = await StartThreeUnderLoadAsync(fleet);

        // Three workers, one configuration: one of them serves each listener, the other two said why they do not.
        var holder = Assert.Single(Listening(fleet, HealthListening));
        Assert.Single(Listening(fleet, PrometheusListening));
        Assert.Equal(2, fleet.Workers.Values.Count(w => w.Output.Contains(HealthPortInUse, StringComparison.Ordinal)));
        Assert.Equal(2, fleet.Workers.Values.Count(w => w.Output.Contains(PrometheusPortInUse, StringComparison.Ordinal)));

        // The victim is the health endpoint's holder, so a survivor must take the port over.
        var survivors = fleet.Workers.Keys.Where(k => k != holder).ToList();
        var victimLeases = (await fleet.LeasesAsync()).Where(l => fleet.OwnerOf(l) == holder).Select(l => l.LeaseKey).ToHashSet();
        var clock = Stopwatch.StartNew();
        fleet.Workers[holder].Kill();
        await fleet.WaitForLeasesAsync(leases => leases.Where(l => victimLeases.Contains(l.LeaseKey)).All(l => survivors.Contains(fleet.OwnerOf(l)!)), Generous);
        var takeover = clock.Elapsed;
        output.WriteLine($"leases of the killed worker ({victimLeases.Count}) taken over after {takeover.TotalSeconds:0.00} s (lease {WorkerFleet.LeaseDuration.TotalSeconds} s + renew {WorkerFleet.RenewInterval.TotalSeconds} s)");

        await WaitForAsync(() => Listening(fleet, HealthListening).Any(survivors.Contains), Generous, fleet);
        output.WriteLine($"health endpoint taken over by a survivor after {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(0, await fleet.Workers[survivors[0]].RunHealthCheckAsync());

        await load;
        var reports = await fleet.FinishAsync();
        output.WriteLine($"after kill -9: {reports.Sum(r => r.SourceChanges)} changes, {reports.Sum(r => r.Duplicates)} duplicates");
        fleet.AssertEvery(reports, report => report.NothingLostInOrder);

        // Lease duration + one renew interval, plus slack for a loaded 2-core CI machine (process start-up is not in it).
        Assert.True(takeover < WorkerFleet.LeaseDuration + WorkerFleet.RenewInterval + TimeSpan.FromSeconds(6), $"takeover took {takeover}");
    }

    [Fact]
    public async Task Rolling_restart_of_every_worker_under_load_neither_loses_nor_repeats_anything()
    {
        await using var fleet = await WorkerFleet.CreateAsync(aws, "ha-rolling", Tables);
        await fleet.StartBalancedAsync(50, "w1", "w2", "w3");
        var load = fleet.WriteInRoundsAsync(rounds: 20, perTable: 20, pause: TimeSpan.FromMilliseconds(300));
        var live = new List<string> { "w1", "w2", "w3" };
        foreach (var id in new[] { "w1", "w2", "w3" })
        {
            var worker = fleet.Workers[id];
            worker.Terminate();
            var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(40));
            Assert.True(exit == 0, $"{id} exited with {exit}\n{worker.Output}");
            live.Remove(id);
            live.Add(id + "b");
            fleet.Start(id + "b");
            var rebalanced = await fleet.WaitForBalanceAsync(live, Generous);
            output.WriteLine($"{id} restarted as {id}b; balanced again after {rebalanced.TotalSeconds:0.0} s");
        }

        await load;
        fleet.AssertEvery(await fleet.FinishAsync(), report => report.ExactlyOnceInOrder);
    }

    [Fact]
    public async Task A_worker_paused_past_its_lease_expiry_stops_its_lost_shards_and_never_overwrites_the_new_owners_checkpoints()
    {
        await using var fleet = await WorkerFleet.CreateAsync(aws, "ha-pause", Tables);
        var load = await StartThreeUnderLoadAsync(fleet);

        var paused = fleet.Workers["w1"];
        var lost = (await fleet.LeasesAsync()).Where(l => fleet.OwnerOf(l) == "w1").Select(l => l.LeaseKey).ToHashSet();
        paused.Pause();
        var takeover = await fleet.WaitForLeasesAsync(leases => leases.Where(l => lost.Contains(l.LeaseKey)).All(l => fleet.OwnerOf(l) is "w2" or "w3"), Generous);
        output.WriteLine($"leases of the paused worker taken over after {takeover.TotalSeconds:0.00} s");

        // While w1 comes back, the checkpoints of its former shards must only move forward (nobody writes an older one).
        var before = (await fleet.LeasesAsync()).Where(l => lost.Contains(l.LeaseKey)).ToDictionary(l => l.LeaseKey);
        paused.Resume();
        await load;
        await fleet.WaitForEverythingAsync(Generous);

        // Every lease w1 lost stays alive after w1 is back (renewed by its new owner, or handed back to w1 by balancing).
        await fleet.WaitForLeasesAsync(
            leases => leases.Where(l => lost.Contains(l.LeaseKey)).All(l => l.Owner is not null && l.Counter > before[l.LeaseKey].Counter),
            Generous);
        await WaitForLineAsync(paused, "LOST by " + fleet.WorkerIdPrefix("w1"), Generous);
        foreach (var lease in (await fleet.LeasesAsync()).Where(l => lost.Contains(l.LeaseKey)))
        {
            var earlier = before[lease.LeaseKey];
            if (earlier.Checkpoint is { Kind: Bridge.Coordination.CheckpointKind.AfterSequence } was && lease.Checkpoint is { Kind: Bridge.Coordination.CheckpointKind.AfterSequence } now)
            {
                Assert.True(now.Sequence >= was.Sequence, $"{lease.ShardId}: checkpoint went back from {was} to {now}");
            }
        }

        await fleet.TerminateAllAsync();
        fleet.AssertEvery(await fleet.CompareAsync(), report => report.NothingLostInOrder);
    }

    private const string HealthListening = "Health endpoint listening";
    private const string HealthPortInUse = "Health endpoint not started";
    private const string PrometheusListening = "Prometheus endpoint listening";
    private const string PrometheusPortInUse = "Prometheus endpoint not started";

    /// <summary>The live workers that logged <paramref name="line"/>: each logs it once, when it got the port.</summary>
    private static List<string> Listening(WorkerFleet fleet, string line) =>
        [.. fleet.Workers.Where(w => !w.Value.HasExited && w.Value.Output.Contains(line, StringComparison.Ordinal)).Select(w => w.Key)];

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, WorkerFleet fleet)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, $"not within {timeout}:\n{fleet.Outputs()}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForLineAsync(BridgeProcess worker, string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!worker.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < timeout, $"no \"{text}\" within {timeout}:\n{worker.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>Three balanced workers, then a writer that keeps going (3 s, 12 rounds) while the test breaks something.</summary>
    private static async Task<Task> StartThreeUnderLoadAsync(WorkerFleet fleet)
    {
        await fleet.StartBalancedAsync(100, "w1", "w2", "w3");
        var load = fleet.WriteInRoundsAsync(rounds: 12, perTable: 40, pause: TimeSpan.FromMilliseconds(250));
        await Task.Delay(1000);
        return load;
    }
}
