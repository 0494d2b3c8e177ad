using Bridge.Aws.DynamoDbStreams;
using Bridge.Ordering;
using Bridge.Sink;
using Bridge.Tests.Fakes;
using CsCheck;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Bridge.Tests.Ordering;

/// <summary>
/// Merge mode's promises under random schedules: several sources, a key's records spread over every shard of every
/// source, splits, writer clocks skewed per shard, live writes, entry and request failures, crashes. Nothing is lost;
/// per key, first occurrences come in non-decreasing order value; records are late only when a writer's skew exceeds
/// Bridge:Ordering:Lateness; a shard's own order is never broken; duplicates only after a crash.
/// </summary>
public class MergeOrderProperties
{
    private static readonly TimeSpan Lateness = TimeSpan.FromMilliseconds(150);

    private sealed record Scenario(int Seed, int Sources, int Keys, int RecordsPerShard, bool Splits, bool SkewBeyondLateness, bool Live, double RequestFailure, double EntryFailure, int Crashes, int Stops, bool ExpireIterators, bool SkipSome, int? AggregateBytes)
    {
        public override string ToString() =>
            $"seed={Seed} sources={Sources} keys={Keys} records/shard={RecordsPerShard} splits={Splits} skewBeyondLateness={SkewBeyondLateness} live={Live} requestFailure={RequestFailure:0.00} entryFailure={EntryFailure:0.00} crashes={Crashes} stops={Stops} expire={ExpireIterators} skipSome={SkipSome} aggregateBytes={AggregateBytes?.ToString() ?? "off"}";
    }

    private static readonly Gen<Scenario> Scenarios =
        from seed in Gen.Int
        from sources in Gen.Int[1, 3]
        from keys in Gen.Int[1, 8]
        from records in Gen.Int[5, 60]
        from splits in Gen.Bool
        from skewBeyond in Gen.Bool
        from live in Gen.Bool
        from requestFailure in Gen.Double[0, 0.2]
        from entryFailure in Gen.Double[0, 0.2]
        from crashes in Gen.Int[0, 2]
        from stops in Gen.Int[0, 2]
        from expire in Gen.Bool
        from skipSome in Gen.Bool
        from aggregate in Gen.Int[1024, 8192].Nullable()
        select new Scenario(seed, sources, keys, records, splits, skewBeyond, live, requestFailure, entryFailure, crashes, stops, expire, skipSome, aggregate);

    [Fact]
    public async Task Nothing_is_lost_and_each_key_follows_its_order_values_across_shards_and_tables() =>
        await Scenarios.SampleAsync(RunScenarioAsync, iter: 30, threads: 1, print: s => s.ToString());

    private static async Task RunScenarioAsync(Scenario scenario)
    {
        var random = new Random(scenario.Seed);
        // Some records without their key, skipped (Bridge:OnUndeliverable = Skip): they keep their shard's turn in the merge.
        var workload = new MergedWorkload(random, scenario.Keys, scenario.Sources, maxSkew: scenario.SkewBeyondLateness ? 4 * Lateness : Lateness / 2, keyless: scenario.SkipSome ? 0.05 : 0);
        workload.Build(scenario.RecordsPerShard, scenario.Splits);
        if (scenario.ExpireIterators)
        {
            var expiry = new Random(scenario.Seed + 1);
            foreach (var stream in workload.Streams)
            {
                stream.ExpireIterator = () => { lock (expiry) { return expiry.NextDouble() < 0.05; } };
            }
        }
        var kinesis = new FlakyKinesis(shardCount: 4, seed: scenario.Seed)
        {
            RequestFailure = scenario.RequestFailure,
            EntryFailure = scenario.EntryFailure,
        };
        using var harness = new EngineHarness(workload.Streams[0], kinesis) { OrderBy = "ts" };
        harness.MoreStreams.AddRange(workload.Streams.Skip(1));
        harness.Options.Ordering.Mode = OrderingMode.Merge;
        harness.Options.Ordering.Lateness = Lateness;
        harness.Options.OnUndeliverable = Bridge.Forwarding.UndeliverableAction.Skip;
        if (scenario.AggregateBytes is { } aggregateBytes)
        {
            harness.Options.Target.Aggregation = RecordAggregation.Kpl;
            harness.Options.Target.MaxAggregateBytes = aggregateBytes;
        }

        using var late = new MetricCollector<long>(harness.MeterFactory, "Bridge", "bridge.ordering.late_records");
        using var stopWriting = new CancellationTokenSource();
        var writer = scenario.Live ? workload.WriteLiveAsync(stopWriting.Token) : Task.CompletedTask;
        var lastDeliveredCount = 0;
        // Crashes and graceful stops (a redeploy) in a random order: a stop withdraws what the merge still holds.
        var interruptions = Enumerable.Repeat(true, scenario.Crashes).Concat(Enumerable.Repeat(false, scenario.Stops)).OrderBy(_ => random.Next()).ToList();
        foreach (var crash in interruptions)
        {
            var target = lastDeliveredCount + random.Next(1, Math.Max(2, (workload.Total - lastDeliveredCount) / 2));
            await harness.RunUntilAsync(() => harness.Delivered().Count >= target || workload.AllDelivered(harness.Delivered()), crash);
            lastDeliveredCount = harness.Delivered().Count;
        }

        await stopWriting.CancelAsync();
        await writer;
        await harness.RunUntilAsync(() => workload.AllDelivered(harness.Delivered()));

        var delivered = harness.Delivered();
        workload.AssertShardOrderKept(delivered);
        var lateRecords = late.GetMeasurementSnapshot().Sum(m => m.Value);
        if (!scenario.SkewBeyondLateness)
        {
            Assert.Equal(0, lateRecords);
            workload.AssertFirstOccurrencesFollowOrderValues(delivered);
        }

        if (scenario.Crashes == 0)
        {
            Assert.Equal(delivered.Count, delivered.Select(d => (d.ShardId, d.SequenceNumber)).Distinct().Count());
        }
    }

    /// <summary>The sources of a scenario: streams of two shards each (one split in two when asked), every record keyed
    /// by a room and stamped with <c>ts</c> = a global clock minus its shard's writer skew (a partition's writers share
    /// a clock; different partitions' clocks differ by up to the skew).</summary>
    private sealed class MergedWorkload(Random random, int keys, int sources, TimeSpan maxSkew, double keyless)
    {
        private readonly Lock _lock = new();
        /// <summary>Records with a key (to be delivered); keyless ones are only in <see cref="_keyless"/>.</summary>
        private readonly Dictionary<(string Shard, string Sequence), (string Key, long OrderValue)> _records = [];
        private readonly HashSet<(string Shard, string Sequence)> _keyless = [];
        private readonly Dictionary<string, long> _skewMs = [];
        private readonly Dictionary<string, InMemoryStream> _streamOf = [];
        private readonly List<string> _open = [];
        private readonly Dictionary<string, string?> _parents = [];

        /// <summary>Backlog records are stamped from a minute ago on, one millisecond apart.</summary>
        private long _clock = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();

        public List<InMemoryStream> Streams { get; } = [];

        public int Total
        {
            get
            {
                lock (_lock)
                {
                    return _records.Count;
                }
            }
        }

        public void Build(int recordsPerShard, bool splits)
        {
            for (var i = 0; i < sources; i++)
            {
                var stream = new InMemoryStream($"table{i}", $"arn:aws:dynamodb:us-east-1:000000000000:table/table{i}/stream/2026-01-01T00:00:00.000");
                Streams.Add(stream);
                AddShard(stream, $"t{i}-A", null);
                AddShard(stream, $"t{i}-B", null);
            }

            Fill(recordsPerShard * _open.Count / 2);
            if (splits)
            {
                var parent = _open[random.Next(_open.Count)];
                var stream = _streamOf[parent];
                stream.Split(parent, parent + "1", parent + "2");
                _open.Remove(parent);
                foreach (var child in new[] { parent + "1", parent + "2" })
                {
                    Track(stream, child, parent);
                }
            }

            Fill(recordsPerShard * _open.Count / 2);
        }

        /// <summary>Writes while the engine runs, stamped with the real clock minus each shard's skew, so reads at the
        /// sources' tip decide when they are complete.</summary>
        public async Task WriteLiveAsync(CancellationToken stop)
        {
            for (var i = 0; i < 40 && !stop.IsCancellationRequested; i++)
            {
                lock (_lock)
                {
                    _clock = Math.Max(_clock + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    AppendOne();
                }

                await Task.Delay(5, CancellationToken.None);
            }
        }

        public bool AllDelivered(IReadOnlyList<Delivered> delivered)
        {
            lock (_lock)
            {
                return delivered.Select(d => (d.ShardId, d.SequenceNumber)).ToHashSet().IsSupersetOf(_records.Keys);
            }
        }

        /// <summary>Per key, the first time each record was delivered comes in non-decreasing order value.</summary>
        public void AssertFirstOccurrencesFollowOrderValues(IReadOnlyList<Delivered> delivered)
        {
            var seen = new HashSet<(string, string)>();
            var last = new Dictionary<string, (long Value, Delivered Record)>();
            foreach (var d in delivered)
            {
                if (!seen.Add((d.ShardId, d.SequenceNumber)))
                {
                    continue;
                }

                var value = _records[(d.ShardId, d.SequenceNumber)].OrderValue;
                if (last.TryGetValue(d.PartitionKey, out var before))
                {
                    Assert.True(before.Value <= value, $"key {d.PartitionKey}: {d.ShardId}/{d.SequenceNumber} (ts {value}) delivered after {before.Record.ShardId}/{before.Record.SequenceNumber} (ts {before.Value})");
                }

                last[d.PartitionKey] = (value, d);
            }
        }

        /// <summary>Per key, records of one shard lineage arrive in stream order (first occurrences), whatever their stamps.</summary>
        public void AssertShardOrderKept(IReadOnlyList<Delivered> delivered)
        {
            var firstAt = new Dictionary<(string, string), int>();
            for (var i = 0; i < delivered.Count; i++)
            {
                firstAt.TryAdd((delivered[i].ShardId, delivered[i].SequenceNumber), i);
            }

            foreach (var (shard, stream) in _streamOf)
            {
                var lineage = new List<string>();
                for (var s = shard; s is not null; s = _parents[s])
                {
                    lineage.Insert(0, s);
                }

                var records = lineage.SelectMany(s => _streamOf[s].RecordsOf(s).Select(r => (Shard: s, r.SequenceNumber.Value))).Where(r => !_keyless.Contains(r)).ToList();
                foreach (var group in records.GroupBy(r => _records[r].Key))
                {
                    var positions = group.Select(r => firstAt[r]).ToList();
                    Assert.True(positions.SequenceEqual(positions.Order()), $"key {group.Key}: records of lineage {string.Join(">", lineage)} were reordered");
                }
            }
        }

        private void AddShard(InMemoryStream stream, string shardId, string? parent)
        {
            stream.AddShard(shardId, parent);
            Track(stream, shardId, parent);
        }

        private void Track(InMemoryStream stream, string shardId, string? parent)
        {
            _streamOf[shardId] = stream;
            _parents[shardId] = parent;
            // A child covers its parent's key range, so the same writers (and clocks) write to it.
            _skewMs[shardId] = parent is null ? random.NextInt64((long)maxSkew.TotalMilliseconds + 1) : _skewMs[parent];
            _open.Add(shardId);
        }

        private void Fill(int count)
        {
            lock (_lock)
            {
                for (var i = 0; i < count; i++)
                {
                    _clock++;
                    AppendOne();
                }
            }
        }

        /// <summary>Caller holds the lock.</summary>
        private void AppendOne()
        {
            var shard = _open[random.Next(_open.Count)];
            var key = random.NextDouble() < keyless ? null : "room-" + random.Next(keys);
            var orderValue = _clock - _skewMs[shard];
            var record = _streamOf[shard].Append(shard, key, orderValue: orderValue);
            if (key is null)
            {
                _keyless.Add((shard, record.SequenceNumber.Value));
            }
            else
            {
                _records[(shard, record.SequenceNumber.Value)] = (key, orderValue);
            }
        }
    }
}
