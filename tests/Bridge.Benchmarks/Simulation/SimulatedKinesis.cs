using Bridge.Testing;
using System.Globalization;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Sink;

namespace Bridge.Benchmarks.Simulation;

/// <summary>A Kinesis stream in process, with the service's limits: each PutRecords takes a fixed latency, and each
/// target shard accepts 1000 records and 1 MiB per second (with one second of burst), throttling entries above that.</summary>
/// <remarks>
/// <para>Entries are routed by the MD5 hash of their partition key over evenly split hash ranges, as Kinesis does.
/// Each request body is written by the real <see cref="PutRecordsBody"/>, so the worker pays the encoding it pays
/// against AWS (not HTTP, TLS or signing).</para>
/// <para><see cref="OnAccepted"/> sees every accepted entry, in acceptance order, under the stream's lock: the hot-key
/// benchmark checks per-key order there.</para>
/// </remarks>
internal sealed class SimulatedKinesis : SinkSideKinesis
{
    private static readonly PutRecordsRules Rules = new(1024 * 1024, 5 * 1024 * 1024);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TargetShard[] _shards;
    private readonly PutRecordsResultEntry[] _acked;
    private long _accepted;
    private long _acceptedBytes;
    private long _throttled;
    private long _requests;

    /// <param name="recordsPerSecond">Per target shard; <see cref="double.PositiveInfinity"/> for no limit.</param>
    public SimulatedKinesis(int shards, TimeProvider time, double recordsPerSecond = 1000, double bytesPerSecond = 1024 * 1024)
    {
        _time = time;
        _shards = [.. Enumerable.Range(0, shards).Select(i => new TargetShard(i, shards, recordsPerSecond, bytesPerSecond, time.GetTimestamp()))];
        _acked = [.. _shards.Select(s => new PutRecordsResultEntry("49590338271490256608559692538361571095921575989136588898", s.Shard.ShardId, null, null))];
    }

    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Called with each accepted entry, under the stream's lock, in acceptance order.</summary>
    public Action<PutRecordsEntry>? OnAccepted { get; init; }

    /// <summary>Records accepted, each of a KPL aggregate's counted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    public long AcceptedBytes => Interlocked.Read(ref _acceptedBytes);

    public long Throttled => Interlocked.Read(ref _throttled);

    public long Requests => Interlocked.Read(ref _requests);

    public override async Task<PutRecordsResult> PutRecordsAsync(KinesisStreamRef stream, IReadOnlyList<PutRecordsEntry> entries, CancellationToken cancellationToken)
    {
        Rules.CheckBatch(entries);
        using (var body = new PooledBufferWriter(PutRecordsBody.EstimateSize(entries)))
        {
            PutRecordsBody.Write(body, stream, entries);
        }

        Interlocked.Increment(ref _requests);
        await Task.Delay(Latency, _time, cancellationToken).ConfigureAwait(false);
        var results = new PutRecordsResultEntry[entries.Count];
        var failed = 0;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                var shard = ShardOf(entry.PartitionKey);
                var bytes = entry.Data.Length + entry.PartitionKey.Length;
                if (!shard.TryTake(bytes, now, _time))
                {
                    results[i] = new PutRecordsResultEntry(null, null, "ProvisionedThroughputExceededException", "Rate exceeded for shard " + shard.Shard.ShardId);
                    failed++;
                    continue;
                }

                OnAccepted?.Invoke(entry);
                _accepted += KplDeaggregator.CountRecords(entry.Data.Head);
                _acceptedBytes += bytes;
                results[i] = _acked[shard.Index];
            }

            _throttled += failed;
        }

        return new PutRecordsResult(failed, results);
    }

    public override Task<ListShardsPage> ListShardsAsync(KinesisStreamRef stream, string? nextToken, CancellationToken cancellationToken) =>
        Task.FromResult(new ListShardsPage([.. _shards.Select(s => s.Shard)], null));

    public override Task<KinesisStreamSummary> DescribeStreamSummaryAsync(KinesisStreamRef stream, CancellationToken cancellationToken) =>
        Task.FromResult(new KinesisStreamSummary("target", "arn:aws:kinesis:us-east-1:123456789012:stream/target", "ACTIVE", _shards.Length, 24, null));


    private TargetShard ShardOf(string partitionKey)
    {
        var hash = TargetShardMap.HashKeyOf(partitionKey);
        var index = (int)(hash / (UInt128.MaxValue / (UInt128)_shards.Length));
        return _shards[Math.Min(index, _shards.Length - 1)];
    }

    /// <summary>One target shard's two token buckets (records and bytes), refilled continuously, holding one second's worth.</summary>
    private sealed class TargetShard(int index, int count, double recordsPerSecond, double bytesPerSecond, long now)
    {
        private double _records = Math.Min(recordsPerSecond, 1e12);
        private double _bytes = Math.Min(bytesPerSecond, 1e15);
        private long _refilled = now;

        public int Index { get; } = index;

        public KinesisShard Shard { get; } = Describe(index, count);

        /// <summary>Takes room for one record; the caller holds the stream's lock.</summary>
        public bool TryTake(int bytes, long now, TimeProvider time)
        {
            var seconds = time.GetElapsedTime(_refilled, now).TotalSeconds;
            _refilled = now;
            _records = Math.Min(recordsPerSecond, _records + (seconds * recordsPerSecond));
            _bytes = Math.Min(bytesPerSecond, _bytes + (seconds * bytesPerSecond));
            if (_records < 1 || _bytes < bytes)
            {
                return false;
            }

            _records--;
            _bytes -= bytes;
            return true;
        }

        private static KinesisShard Describe(int index, int count)
        {
            var width = UInt128.MaxValue / (UInt128)count;
            var start = width * (UInt128)index;
            var end = index == count - 1 ? UInt128.MaxValue : start + width - 1;
            return new KinesisShard($"shardId-{index:D12}", null, null, start.ToString(CultureInfo.InvariantCulture), end.ToString(CultureInfo.InvariantCulture), null);
        }
    }
}
