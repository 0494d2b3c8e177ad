namespace Bridge.Host.Operator.Plan;

/// <summary>What the bridge itself was measured to do, each figure from <c>BENCHMARKS.md</c> (section named), and the
/// service limits the planner sizes against.</summary>
/// <remarks>The planner takes nothing about the bridge from anywhere else: when a benchmark is run again and its numbers
/// move, these move with them.</remarks>
internal static class BridgeCapacity
{
    /// <summary>Share of a target shard's limits kept free for uneven hashing of keys to shards: BENCHMARKS.md §5 (in
    /// §4, 93 % of the byte limit already throttled).</summary>
    public const double HashSkewHeadroom = 0.15;

    /// <summary>Bytes the bridge adds to each stream record (<c>tableName</c>, <c>eventSourceARN</c>,
    /// <c>sourceShardId</c>): BENCHMARKS.md §5.</summary>
    public const int SourceFieldBytes = 170;

    /// <summary>PutRecords round trip of the hot-key measurement (30 ms PutRecords + the engine's turn), under which one
    /// key moved 31 records/s in strict order: BENCHMARKS.md §3.</summary>
    public const double PutRecordsRoundTripSeconds = 0.032;

    /// <summary>One key's rate in strict order without aggregation, measured: BENCHMARKS.md §3 (hot key, AWS limit).</summary>
    public const double MeasuredHotKeyRecordsPerSecond = 31;

    /// <summary>One key's rate with KPL aggregation under a target shard's limits, measured with ~1.14 KB records:
    /// BENCHMARKS.md §3 (hot key, KPL aggregation, AWS limit: 907–916).</summary>
    public const double MeasuredKplHotKeyRecordsPerSecond = 911;

    /// <summary>Largest aggregate (<c>Bridge:Target:MaxAggregateBytes</c>' default).</summary>
    public const int MaxAggregateBytes = 51_200;

    /// <summary>Source shards one worker sustained at 1,000 records/s each (60 did not): BENCHMARKS.md §4.</summary>
    public const int SourceShardsPerWorker = 50;

    /// <summary>Worst CPU per record over the sustained steps of the scale run, 12.9 µs at 10 shards: BENCHMARKS.md §4.</summary>
    public const double CpuSecondsPerRecord = 12.9e-6;

    /// <summary>The scale run did not charge HTTP, TLS and SigV4 to the worker (BENCHMARKS.md §4, last paragraph), so
    /// the task gets this many times the measured CPU.</summary>
    public const double UnmeasuredCpuFactor = 2;

    /// <summary>Working set at 50 source shards, 50,000 records/s: BENCHMARKS.md §4.</summary>
    public const double WorkingSetMegabytes = 227;

    /// <summary>GetRecords per second on a shard that receives records (<c>Bridge:Reading:MinPollInterval</c> 200 ms).</summary>
    public const double PollsPerSecondPerShard = 5;

    /// <summary>A checkpoint per shard every <c>Bridge:Checkpoints:Interval</c> (5 s), or every
    /// <c>Bridge:Checkpoints:EveryRecords</c> (5,000) when sooner.</summary>
    public const double CheckpointIntervalSeconds = 5;

    public const double CheckpointEveryRecords = 5_000;

    /// <summary><c>Bridge:Leases:RenewInterval</c>'s default: a third of the 10 s lease duration.</summary>
    public const double LeaseRenewIntervalSeconds = 10.0 / 3;

    /// <summary>Kinesis: records per second one shard accepts.</summary>
    public const double ShardRecordsPerSecond = 1_000;

    /// <summary>Kinesis: bytes (data + partition key) per second one shard accepts.</summary>
    public const double ShardBytesPerSecond = 1_048_576;

    /// <summary>DynamoDB: write units per second one partition takes; a table writing W items/s has at least
    /// W / 1,000 partitions, so as many open stream shards.</summary>
    public const double PartitionWritesPerSecond = 1_000;

    /// <summary>Lambda and EventBridge Pipes poll a DynamoDB stream shard four times a second.</summary>
    public const double ManagedPollsPerSecondPerShard = 4;
}
