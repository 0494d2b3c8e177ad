using Bridge.Host.Operator.Plan;
using Bridge.Sink;

namespace Bridge.Tests.Operator;

/// <summary>Every planner formula against numbers worked out by hand (the arithmetic is in each test's comments).</summary>
public sealed class CapacityPlannerTests
{
    [Fact]
    public void Seed_case_350_writes_per_second_and_100_per_consumer_needs_at_least_4_target_shards()
    {
        // 350 / 100 = 3.5 → 4 shards with no headroom; with the 15 % kept for hash skew, 350 / 85 = 4.12 → 5.
        var exact = CapacityPlanner.Plan(new Workload(350, 800, ConsumerRecordsPerSecond: 100, Headroom: 0));
        var planned = CapacityPlanner.Plan(new Workload(350, 800, ConsumerRecordsPerSecond: 100));

        Assert.Equal(4, exact.TargetShards);
        Assert.Equal(5, planned.TargetShards);
        Assert.True(planned.TargetShards >= 4);
        Assert.Equal("ceil(350 records/s / (100 × 0.85)) = 5", planned.ShardsByConsumer!.Expression);
    }

    [Fact]
    public void Records_term_divides_by_a_shards_1000_records_per_second_less_headroom()
    {
        // 10,000 / (1,000 × 0.85) = 11.76 → 12; bytes: 10,000 × (100 + 170 + 16) = 2,860,000 / 891,289.6 = 3.2 → 4.
        var plan = CapacityPlanner.Plan(new Workload(10_000, 100));

        Assert.Equal(12, plan.ShardsByRecords.Value);
        Assert.Equal(4, plan.ShardsByBytes.Value);
        Assert.Null(plan.ShardsByConsumer);
        Assert.Equal(12, plan.TargetShards);
    }

    [Fact]
    public void Bytes_term_counts_the_record_the_source_fields_and_the_key_against_1_MiB_per_shard()
    {
        // Output record 2,000 + 170 + 16 = 2,186 B; 2,000/s × 2,186 = 4,372,000 B/s / (1,048,576 × 0.85) = 4.905 → 5;
        // records: 2,000 / 850 = 2.35 → 3.
        var plan = CapacityPlanner.Plan(new Workload(2_000, 2_000));

        Assert.Equal(2_186, plan.OutputRecordBytes.Value);
        Assert.Equal(5, plan.ShardsByBytes.Value);
        Assert.Equal(3, plan.ShardsByRecords.Value);
        Assert.Equal(5, plan.TargetShards);
    }

    [Fact]
    public void A_trickle_still_gets_one_shard()
    {
        Assert.Equal(1, CapacityPlanner.Plan(new Workload(0.5, 200)).TargetShards);
    }

    [Fact]
    public void Workers_are_two_at_least_and_one_per_50_source_shards()
    {
        // 120 shards / 50 = 2.4 → 3 workers. Each task must carry W / (3 - 1) = 30,000 records/s:
        // 30,000 × 12.9 µs × 2 = 0.774 cores → 1 vCPU, whose least memory is 2 GB.
        var plan = CapacityPlanner.Plan(new Workload(60_000, 500, SourceShards: 120));

        Assert.Equal(3, plan.Workers.Value);
        Assert.Equal(0.774, plan.TaskCpuNeeded.Value, 6);
        Assert.Equal(1, plan.TaskVcpu);
        Assert.Equal(2, plan.TaskMemoryGb);

        // 350 writes/s: ceil(350 / 1,000) = 1 source shard, 2 workers, 350 × 12.9 µs × 2 = 0.009 cores → the smallest task.
        var small = CapacityPlanner.Plan(new Workload(350, 800));
        Assert.Equal(1, small.SourceShards.Value);
        Assert.Equal(2, small.Workers.Value);
        Assert.Equal((0.25, 0.5), (small.TaskVcpu, small.TaskMemoryGb));
    }

    [Fact]
    public void Keys_needed_for_full_throughput_are_the_rate_times_the_round_trip()
    {
        // 350 × 0.032 s = 11.2 → 12 keys with records waiting; 5 keys are fewer, so the plan warns.
        var plan = CapacityPlanner.Plan(new Workload(350, 800, Keys: 5));

        Assert.Equal(12, plan.KeysForFullThroughput.Value);
        Assert.Contains(plan.Warnings, w => w.Contains("5 keys are fewer than the 12", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_under_one_entry_per_round_trip_fits_strict_order()
    {
        // 0.02 × 350 = 7 records/s ≤ 1 / 0.032 = 31.25.
        var hot = CapacityPlanner.Plan(new Workload(350, 800, HotKeyShare: 0.02)).HotKey!;

        Assert.Equal(7, hot.Rate.Value, 9);
        Assert.Equal(31.25, hot.StrictOrderLimit.Value);
        Assert.True(hot.FitsStrictOrder);
    }

    [Fact]
    public void A_key_too_hot_for_strict_order_fits_with_KPL_aggregation_up_to_a_shards_bytes()
    {
        // 0.1 × 1,000 = 100 records/s > 31.25. With KPL: record 1,000 + 170 + 16 = 1,186 B; floor(51,200 / 1,186) = 43
        // per aggregate / 0.032 s = 1,343.75/s, but a shard's 1,048,576 B/s / 1,186 = 884.13/s binds.
        var plan = CapacityPlanner.Plan(new Workload(1_000, 1_000, HotKeyShare: 0.1));
        var hot = plan.HotKey!;

        Assert.False(hot.FitsStrictOrder);
        Assert.Equal(1_048_576.0 / 1_186, hot.KplLimit.Value, 9);
        Assert.True(hot.FitsWithKpl);
        Assert.Contains(plan.Warnings, w => w.Contains("Bridge:Target:Aggregation=Kpl", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_hotter_than_a_shard_needs_a_finer_key_and_a_key_hotter_than_a_consumer_is_flagged()
    {
        // One key at 5,000 records/s of 1,186 B: more than 884/s even aggregated.
        var tooHot = CapacityPlanner.Plan(new Workload(5_000, 1_000, HotKeyShare: 1));
        Assert.False(tooHot.HotKey!.FitsWithKpl);
        Assert.Contains(tooHot.Warnings, w => w.Contains("finer partition key", StringComparison.Ordinal));

        // 0.5 × 350 = 175 records/s on one shard, whose consumer takes 100.
        var overConsumer = CapacityPlanner.Plan(new Workload(350, 800, ConsumerRecordsPerSecond: 100, HotKeyShare: 0.5));
        Assert.False(overConsumer.HotKey!.FitsOneConsumer);
        Assert.Contains(overConsumer.Warnings, w => w.Contains("no shard count fixes this", StringComparison.Ordinal));
    }

    [Fact]
    public void Fewer_keys_than_shards_is_flagged()
    {
        var plan = CapacityPlanner.Plan(new Workload(350, 800, ConsumerRecordsPerSecond: 100, Keys: 3, Aggregation: RecordAggregation.Kpl));

        Assert.Contains(plan.Warnings, w => w.StartsWith("3 keys over 5 target shards", StringComparison.Ordinal));
    }

    [Fact]
    public void Costs_match_the_hand_worked_month()
    {
        // 1,000 writes/s of 1,000 B (item 1,500 B), 2 source shards, 3 target shards by consumer (1,000 / (400 × 0.85) = 2.94).
        var plan = CapacityPlanner.Plan(new Workload(1_000, 1_000, ConsumerRecordsPerSecond: 400, SourceShards: 2, ItemBytes: 1_500));
        Assert.Equal(3, plan.TargetShards);
        var costs = plan.Costs.ToDictionary(c => c.Name.Split(' ')[0], c => c.Lines.ToDictionary(l => l.Item, l => l.MonthlyUsd));

        // Shared by all four: 3 × 730 × $0.015 = $32.85; 1,000 × 2,628,000 × 1 unit = 2,628 M × $0.014 = $36.792.
        foreach (var option in costs.Values)
        {
            Assert.Equal(32.85, option["Kinesis shard-hours"], 6);
            Assert.Equal(36.792, option["Kinesis PUT payload units"], 6);
        }

        var bridge = costs["bridge"];
        Assert.Equal(14.4175, bridge["Fargate tasks"], 6);                // 2 × 730 × (0.25 × 0.03238 + 0.5 × 0.00356)
        Assert.Equal(7.30, bridge["public IPv4"], 6);                     // 2 × 730 × 0.005
        Assert.Equal(4.756, bridge["DynamoDB Streams GetRecords"], 6);    // (2 × 5 × 2,628,000 - 2.5 M) / 100k × 0.02
        Assert.Equal((0.4 + 0.6) * 2.628 * 0.625, bridge["lease table: checkpoints + renewals"], 6); // 2 × 0.2 checkpoints + 2 / 3.33 renewals per s

        Assert.Equal(525.6, costs["native"]["change data capture units"], 6);       // 2,628 M × ceil(1,500 / 1,024) = 5,256 M × $0.10
        Assert.Equal(1_000 * 1_000 / 65_536.0 * 2.628 * 0.4, costs["EventBridge"]["Pipes requests"], 6); // 15.26/s > 8 batches/s
        Assert.Equal(4.2048, costs["Lambda"]["Lambda requests"], 6);                // min(1,000, 2 × 4) = 8/s × 2,628,000 × $0.20/M
        Assert.Equal(1.79405697024, costs["Lambda"]["Lambda duration (ARM, 128 MB, 50 ms)"], 6); // 8 × 2,628,000 × 0.05 × 0.128 GB-s × $0.0000133334
    }

    [Fact]
    public void Every_formula_shows_its_numbers_and_the_report_names_the_prices_date()
    {
        var plan = CapacityPlanner.Plan(new Workload(350, 800, ConsumerRecordsPerSecond: 100, HotKeyShare: 0.02));
        var report = PlanReport.Render(plan, sample: null);

        Assert.Contains("Target shards: 5", report, StringComparison.Ordinal);
        Assert.Contains("ceil(350 records/s / (1,000 × 0.85)) = 1", report, StringComparison.Ordinal);
        Assert.Contains("BENCHMARKS.md §4", report, StringComparison.Ordinal);
        Assert.Contains("as of " + AwsPrices.AsOf, report, StringComparison.Ordinal);
        Assert.All(plan.Costs.SelectMany(c => c.Lines), l => Assert.Contains("$", l.Expression, StringComparison.Ordinal));
        Assert.DoesNotContain("E-0", report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 800, null, null, "--writes-per-second")]
    [InlineData(350, -1, null, null, "--record-bytes")]
    [InlineData(350, 800, 1.5, null, "--hot-key-share")]
    [InlineData(350, 800, null, 0.0, "--consumer-records-per-second")]
    public void Impossible_numbers_are_refused_by_name(double writes, double bytes, double? share, double? consumer, string named)
    {
        var problems = new Workload(writes, bytes, ConsumerRecordsPerSecond: consumer, HotKeyShare: share).Problems();

        Assert.Single(problems);
        Assert.Contains(named, problems[0], StringComparison.Ordinal);
    }
}
