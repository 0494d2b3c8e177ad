using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Sink;
using Bridge.Tests.Fakes;
using CsCheck;

namespace Bridge.Tests.Forwarding;

/// <summary>
/// The engine's promises under random failure schedules: nothing lost, per-key order never broken,
/// duplicates only after a crash and only of records past the crashed shard's last checkpoint.
/// </summary>
public class OrderAndLossProperties
{
    /// <summary>A random workload: a lineage with splits, keys drawn from a small set, and a failure schedule.</summary>
    private sealed record Scenario(int Seed, int Keys, int RecordsPerShard, bool Splits, double RequestFailure, double EntryFailure, int ShardCapacity, int Crashes, bool ExpireIterators, int? AggregateBytes)
    {
        public override string ToString() =>
            $"seed={Seed} keys={Keys} records/shard={RecordsPerShard} splits={Splits} requestFailure={RequestFailure:0.00} entryFailure={EntryFailure:0.00} shardCapacity={ShardCapacity} crashes={Crashes} expire={ExpireIterators} aggregateBytes={AggregateBytes?.ToString() ?? "off"}";
    }

    private static readonly Gen<Scenario> Scenarios =
        from seed in Gen.Int
        from keys in Gen.Int[1, 12]
        from records in Gen.Int[5, 120]
        from splits in Gen.Bool
        from requestFailure in Gen.Double[0, 0.3]
        from entryFailure in Gen.Double[0, 0.3]
        from capacity in Gen.OneOf(Gen.Int[1, 20], Gen.Const(int.MaxValue))
        from crashes in Gen.Int[0, 2]
        from expire in Gen.Bool
        from aggregate in Gen.Int[1024, 8192].Nullable()
        select new Scenario(seed, keys, records, splits, requestFailure, entryFailure, capacity, crashes, expire, aggregate);

    [Fact]
    public async Task Nothing_is_lost_and_per_key_order_holds_under_random_failures() =>
        await Scenarios.SampleAsync(RunScenarioAsync, iter: 50, threads: 1, print: s => s.ToString());

    private static async Task RunScenarioAsync(Scenario scenario)
    {
        var random = new Random(scenario.Seed);
        var stream = new InMemoryStream();
        var workload = new Workload(stream, random, scenario.Keys);
        workload.Build(scenario.RecordsPerShard, scenario.Splits);
        if (scenario.ExpireIterators)
        {
            var expiry = new Random(scenario.Seed + 1);
            stream.ExpireIterator = () => expiry.NextDouble() < 0.05;
        }

        var kinesis = new FlakyKinesis(shardCount: 4, seed: scenario.Seed)
        {
            RequestFailure = scenario.RequestFailure,
            EntryFailure = scenario.EntryFailure,
            ShardCapacityPerRequest = scenario.ShardCapacity,
        };
        var violations = new List<string>();
        kinesis.OnRequest = (entries, accepted) => violations.AddRange(workload.CheckRequest(entries, accepted));
        using var harness = new EngineHarness(stream, kinesis);
        if (scenario.AggregateBytes is { } aggregateBytes)
        {
            // Small aggregates (the records are ~400 B), so a key's run is often cut in several.
            harness.Options.Target.Aggregation = RecordAggregation.Kpl;
            harness.Options.Target.MaxAggregateBytes = aggregateBytes;
        }

        var lastDeliveredCount = 0;
        var checkpointsAtCrash = new List<Dictionary<string, string?>>();
        for (var crash = 0; crash < scenario.Crashes; crash++)
        {
            // Crash somewhere in the middle of the remaining work, or at its end when it all went first (an aggregate
            // can carry much of it at once).
            var target = lastDeliveredCount + random.Next(1, Math.Max(2, (workload.Total - lastDeliveredCount) / 2));
            await harness.RunUntilAsync(
                () => harness.Delivered() is var delivered && (delivered.Count >= target || workload.AllDelivered(delivered)),
                crash: true);
            checkpointsAtCrash.Add(workload.Shards.ToDictionary(s => s, s => harness.Store.Get(stream.StreamArn, s)?.Checkpoint?.ToString()));
            lastDeliveredCount = harness.Delivered().Count;
        }

        await harness.RunUntilAsync(() => workload.AllDelivered(harness.Delivered()));

        Assert.Empty(violations);
        var delivered = harness.Delivered();
        workload.AssertFirstOccurrencesInOrder(delivered);
        var duplicates = delivered.GroupBy(d => (d.ShardId, d.SequenceNumber)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (scenario.Crashes == 0)
        {
            Assert.Empty(duplicates);
        }
        else
        {
            // A re-sent record must lie past the checkpoint its shard had when some crash happened.
            foreach (var (shardId, sequence) in duplicates)
            {
                Assert.Contains(checkpointsAtCrash, at => at[shardId] is not { } cp || cp == "LATEST" || (cp != "SHARD_END" && SequenceNumber.Parse(sequence) > SequenceNumber.Parse(cp)));
            }
        }
    }

    /// <summary>The source side of a scenario: which records exist, in which shard, and which must precede which.</summary>
    private sealed class Workload(InMemoryStream stream, Random random, int keys)
    {
        private readonly Dictionary<string, string?> _parents = [];
        private readonly Dictionary<(string Shard, string Sequence), (string Key, int Index)> _records = [];
        private readonly Dictionary<string, List<(string Sequence, string Key)>> _byShard = [];
        private readonly HashSet<(string Shard, string Sequence)> _accepted = [];
        private int _acceptedSeen;

        public int Total => _records.Count;

        public IEnumerable<string> Shards => _byShard.Keys;

        public void Build(int recordsPerShard, bool splits)
        {
            AddShard("A", null);
            AddShard("R", null);
            Fill("A", recordsPerShard);
            Fill("R", recordsPerShard);
            if (splits)
            {
                stream.Split("A", "B", "C");
                Track("B", "A");
                Track("C", "A");
                Fill("B", recordsPerShard);
                Fill("C", recordsPerShard);
                stream.Split("B", "D", "E");
                Track("D", "B");
                Track("E", "B");
                Fill("D", recordsPerShard);
                Fill("E", recordsPerShard);
            }
        }

        public bool AllDelivered(IReadOnlyList<Delivered> delivered) =>
            delivered.Select(d => (d.ShardId, d.SequenceNumber)).ToHashSet().IsSupersetOf(_records.Keys);

        /// <summary>Checks one request as it arrives: distinct keys, and each record's nearest same-key predecessor already
        /// accepted, or earlier in the same aggregate.</summary>
        public IEnumerable<string> CheckRequest(IReadOnlyList<PutRecordsEntry> entries, IReadOnlyList<FlakyKinesis.Accepted> accepted)
        {
            for (; _acceptedSeen < accepted.Count; _acceptedSeen++)
            {
                foreach (var d in EngineHarness.Parse(accepted[_acceptedSeen].PartitionKey, accepted[_acceptedSeen].Data))
                {
                    _accepted.Add((d.ShardId, d.SequenceNumber));
                }
            }

            var problems = new List<string>();
            var keysInRequest = entries.Select(e => e.PartitionKey).ToList();
            if (keysInRequest.Distinct().Count() != keysInRequest.Count)
            {
                problems.Add("a request carried two entries with the same partition key");
            }

            foreach (var entry in entries)
            {
                var earlierInEntry = new HashSet<(string Shard, string Sequence)>();
                foreach (var record in EngineHarness.Parse(entry.PartitionKey, entry.Data))
                {
                    if (Predecessor(record.ShardId, record.SequenceNumber) is { } before && !_accepted.Contains(before) && !earlierInEntry.Contains(before))
                    {
                        problems.Add($"{record.ShardId}/{record.SequenceNumber} (key {record.PartitionKey}) sent before {before.Shard}/{before.Sequence} was acknowledged");
                    }

                    if (record.PartitionKey != entry.PartitionKey)
                    {
                        problems.Add($"an aggregate of key {entry.PartitionKey} carried a record of key {record.PartitionKey}");
                    }

                    earlierInEntry.Add((record.ShardId, record.SequenceNumber));
                }
            }

            return problems;
        }

        public void AssertFirstOccurrencesInOrder(IReadOnlyList<Delivered> delivered)
        {
            var firstAt = new Dictionary<(string, string), int>();
            for (var i = 0; i < delivered.Count; i++)
            {
                firstAt.TryAdd((delivered[i].ShardId, delivered[i].SequenceNumber), i);
            }

            foreach (var (record, _) in _records)
            {
                if (Predecessor(record.Shard, record.Sequence) is { } before)
                {
                    Assert.True(firstAt[before] < firstAt[record], $"{before} must be delivered before {record}");
                }
            }
        }

        private (string Shard, string Sequence)? Predecessor(string shardId, string sequence)
        {
            var key = _records[(shardId, sequence)].Key;
            var index = _records[(shardId, sequence)].Index;
            for (var shard = shardId; shard is not null; shard = _parents[shard], index = int.MaxValue)
            {
                var list = _byShard[shard];
                for (var i = Math.Min(index, list.Count) - 1; i >= 0; i--)
                {
                    if (list[i].Key == key)
                    {
                        return (shard, list[i].Sequence);
                    }
                }
            }

            return null;
        }

        private void AddShard(string id, string? parent)
        {
            stream.AddShard(id, parent);
            Track(id, parent);
        }

        private void Track(string id, string? parent)
        {
            _parents[id] = parent;
            _byShard[id] = [];
        }

        private void Fill(string shardId, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var key = "room-" + random.Next(keys);
                var record = stream.Append(shardId, key);
                _records[(shardId, record.SequenceNumber.Value)] = (key, _byShard[shardId].Count);
                _byShard[shardId].Add((record.SequenceNumber.Value, key));
            }
        }
    }
}
