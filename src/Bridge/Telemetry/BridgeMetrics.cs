using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.Filtering;
using Bridge.Ordering;
using Bridge.Sink;
using Bridge.Source;

namespace Bridge.Telemetry;

/// <summary>The bridge's one <see cref="Meter"/>: every instrument, named <c>bridge.&lt;area&gt;.&lt;name&gt;</c> with a unit.</summary>
/// <remarks>
/// Durations are in seconds (OpenTelemetry convention); the CloudWatch exporters convert the ones the alarms use
/// to milliseconds. Tags are few and bounded: <c>table</c>, <c>shard</c> (source shards being read),
/// <c>target_shard</c>, <c>error_code</c>, <c>outcome</c>, <c>reason</c>/<c>action</c>, <c>stream</c>.
/// Every instrument is listed, with its meaning and suggested alarm, in docs/operating.md ("Metrics").
/// </remarks>
public sealed class BridgeMetrics
{
    public const string MeterName = "Bridge";

    /// <summary>Forwarding latency buckets in seconds: sub-second when keeping up, minutes to hours when catching up.</summary>
    private static readonly double[] LatencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<SourceShard, ShardStatus> _shards = new();

    /// <summary>Sinks whose in-flight records and bytes are observed; added when a sink is created, removed on disposal.</summary>
    private readonly ConcurrentDictionary<KinesisSink, byte> _sinks = new();

    /// <summary>The running lease coordinators: the held-leases gauge reads their own count, so it cannot drift.</summary>
    private readonly ConcurrentDictionary<LeaseCoordinator, byte> _coordinators = new();

    /// <summary>Merge mode's stages (one per round of holding the merge group).</summary>
    private readonly ConcurrentDictionary<MergeStage, byte> _merges = new();

    private readonly Counter<long> _recordsRead;
    private readonly Counter<long> _recordsForwarded;
    private readonly Counter<long> _bytesForwarded;
    private readonly Counter<long> _undeliverable;
    private readonly Counter<long> _filtered;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _kinesisRecords;
    private readonly Counter<long> _entriesFailed;
    private readonly Counter<long> _entriesThrottled;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _trimmed;
    private readonly Counter<long> _readErrors;
    private readonly Counter<long> _leasesTaken;
    private readonly Counter<long> _leasesLost;
    private readonly Counter<long> _backfillItems;
    private readonly Counter<long> _backfillBytes;
    private readonly Counter<long> _backfillSegments;
    private readonly ConcurrentDictionary<BackfillProgress, byte> _backfills = new();
    private readonly Counter<long> _lateRecords;
    private readonly Histogram<double> _latency;

    public BridgeMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        var meter = meterFactory.Create(MeterName);
        _recordsRead = meter.CreateCounter<long>("bridge.source.records_read", "{record}", "Stream records read from DynamoDB Streams, by table.");
        _recordsForwarded = meter.CreateCounter<long>("bridge.sink.records_forwarded", "{record}", "Records acknowledged by Kinesis, by source table.");
        _bytesForwarded = meter.CreateCounter<long>("bridge.sink.bytes_forwarded", "By", "Bytes (data plus partition key) acknowledged by Kinesis, by source table.");
        _undeliverable = meter.CreateCounter<long>("bridge.records.undeliverable", "{record}", "Records that could not be routed (no key, too large, malformed), by table, reason and action taken (Skip, DeadLetter, Block).");
        _filtered = meter.CreateCounter<long>("bridge.records.filtered", "{record}", "Records intentionally not forwarded (Filter, IgnoreModifiesOf, OlderThanSnapshot, OlderThanChange) and checkpointed past, by table and reason.");
        _requests = meter.CreateCounter<long>("bridge.sink.put_records.requests", "{request}", "PutRecords requests, by outcome (ok or the error code).");
        _kinesisRecords = meter.CreateCounter<long>("bridge.sink.kinesis_records", "{record}", "Kinesis records acknowledged, by target stream: one per forwarded record, or one per KPL aggregate (what the target shards' 1000 records/s and PUT payload units count).");
        _entriesFailed = meter.CreateCounter<long>("bridge.sink.entries_failed", "{entry}", "PutRecords entries that failed an attempt (an entry error, or the whole request failed), by error code; each is retried.");
        _entriesThrottled = meter.CreateCounter<long>("bridge.sink.entries_throttled", "{entry}", "PutRecords entries refused for the target shard's throughput, by target shard.");
        _retries = meter.CreateCounter<long>("bridge.sink.retries", "{entry}", "Entries scheduled for another attempt, by whether the cause was throttling.");
        _trimmed = meter.CreateCounter<long>("bridge.source.trimmed", "{event}", "Times a shard's unread records were trimmed by the source before the bridge read them (data lost at the source).");
        _readErrors = meter.CreateCounter<long>("bridge.source.read_errors", "{error}", "Failed reads of a source shard (after the wire client's own retries), by table and error; the shard keeps retrying.");
        _leasesTaken = meter.CreateCounter<long>("bridge.lease.taken", "{lease}", "Shard leases this worker took, by table.");
        _leasesLost = meter.CreateCounter<long>("bridge.lease.lost", "{lease}", "Shard leases this worker lost to another worker (not released by it), by table.");
        _backfillItems = meter.CreateCounter<long>("bridge.backfill.items_scanned", "{item}", "Items a backfill scanned and handed to the sink, by table.");
        _backfillBytes = meter.CreateCounter<long>("bridge.backfill.bytes_scanned", "By", "Bytes of the items a backfill scanned (DynamoDB's item size, estimated), by table.");
        _backfillSegments = meter.CreateCounter<long>("bridge.backfill.segments_done", "{segment}", "Backfill scan segments finished here (every page acknowledged by Kinesis), by table.");
        meter.CreateObservableGauge("bridge.backfill.progress", () => _backfills.Keys.Select(p => new Measurement<double>(p.Fraction, new KeyValuePair<string, object?>("table", p.Run.TableName))), "1", "Share of the table a running backfill has scanned, 0 to 1 (by DescribeTable's item count and size, which lag).");
        meter.CreateObservableGauge("bridge.backfill.time_left", () => _backfills.Keys.Where(p => p.EstimatedTimeLeft is not null).Select(p => new Measurement<double>(p.EstimatedTimeLeft!.Value.TotalSeconds, new KeyValuePair<string, object?>("table", p.Run.TableName))), "s", "Estimated time until a running backfill has scanned the table, at its rate so far.");
        _lateRecords = meter.CreateCounter<long>("bridge.ordering.late_records", "{record}", "Merge mode: records whose order value was below one already released for their key, by table and action (Emit, DeadLetter).");
        meter.CreateObservableGauge("bridge.ordering.watermark_delay", ObserveWatermarkDelay, "s", "Merge mode: now minus the watermark (the order value up to which merged records are released).");
        meter.CreateObservableGauge("bridge.ordering.held_records", () => _merges.Keys.Sum(m => m.HeldRecords), "{record}", "Merge mode: records read and held until the watermark reaches them.");
        meter.CreateObservableGauge("bridge.ordering.holding_back", ObserveHoldingBack, "{shard}", "Merge mode: 1 per source shard whose frontier is the watermark now (the shards that hold the merge back), by table and shard.");
        _latency = meter.CreateHistogram(
            "bridge.forward.latency",
            "s",
            "Time from the change in the table (ApproximateCreationDateTime) to Kinesis acknowledging it, by table.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        meter.CreateObservableGauge("bridge.source.lag", ObserveLag, "s", "Now minus ApproximateCreationDateTime of the newest forwarded record, per source shard; 0 while the shard is read to its tip.");
        meter.CreateObservableGauge("bridge.source.since_last_read", ObserveSinceRead, "s", "Time since the last successful GetRecords, per source shard.");
        meter.CreateObservableGauge("bridge.checkpoint.age", ObserveCheckpointAge, "s", "Time since the last checkpoint write, per source shard.");
        meter.CreateObservableGauge("bridge.source.shards", () => _shards.Count, "{shard}", "Source shards being read.");
        meter.CreateObservableGauge("bridge.lease.held", () => _coordinators.Keys.Sum(c => c.HeldCount), "{lease}", "Shard leases this worker holds.");
        meter.CreateObservableGauge("bridge.sink.in_flight.records", ObserveInFlightRecords, "{record}", "Records read and not yet acknowledged, by target stream.");
        meter.CreateObservableGauge("bridge.sink.in_flight.bytes", ObserveInFlightBytes, "By", "Bytes read and not yet acknowledged, by target stream.");
    }

    /// <summary>The shards being read now; health checks look at these.</summary>
    public ICollection<ShardStatus> Shards => _shards.Values;

    /// <summary>Observes a sink's in-flight records and bytes until <see cref="ForgetSink"/>.</summary>
    public void ObserveSink(KinesisSink sink) => _sinks.TryAdd(sink, 0);

    /// <summary>Reports a running backfill in <c>bridge.backfill.progress</c> and <c>bridge.backfill.time_left</c> until <see cref="ForgetBackfill"/>.</summary>
    public void ObserveBackfill(BackfillProgress progress) => _backfills.TryAdd(progress, 0);

    public void ForgetBackfill(BackfillProgress progress) => _backfills.TryRemove(progress, out _);

    public void BackfillScanned(string table, int items, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("table", table);
        _backfillItems.Add(items, tag);
        _backfillBytes.Add(bytes, tag);
    }

    public void BackfillSegmentDone(string table) => _backfillSegments.Add(1, new KeyValuePair<string, object?>("table", table));

    public void ForgetSink(KinesisSink sink) => _sinks.TryRemove(sink, out _);

    /// <summary>Counts a coordinator's held leases in <c>bridge.lease.held</c> until <see cref="ForgetLeases"/>.</summary>
    public void ObserveLeases(LeaseCoordinator coordinator) => _coordinators.TryAdd(coordinator, 0);

    public void ForgetLeases(LeaseCoordinator coordinator) => _coordinators.TryRemove(coordinator, out _);

    internal void ObserveMerge(MergeStage stage) => _merges.TryAdd(stage, 0);

    internal void ForgetMerge(MergeStage stage) => _merges.TryRemove(stage, out _);

    public void LateRecord(SourceShard shard, string action) =>
        _lateRecords.Add(1, new KeyValuePair<string, object?>("table", shard.TableName), new KeyValuePair<string, object?>("action", action));

    public ShardStatus Track(SourceShard shard) => _shards[shard] = new ShardStatus(shard, _time.GetUtcNow());

    public void Untrack(SourceShard shard) => _shards.TryRemove(shard, out _);

    public void RecordsRead(SourceShard shard, int count)
    {
        if (count > 0 && _recordsRead.Enabled)
        {
            _recordsRead.Add(count, new KeyValuePair<string, object?>("table", shard.TableName));
        }
    }

    public void RecordForwarded(OutboundRecord record, DateTimeOffset now)
    {
        var table = new KeyValuePair<string, object?>("table", record.Source.TableName);
        _recordsForwarded.Add(1, table);
        _bytesForwarded.Add(record.Size, table);
        if (_latency.Enabled)
        {
            _latency.Record(Math.Max(0, (now - record.CreatedAt).TotalSeconds), table);
        }

        if (_shards.TryGetValue(record.Source, out var status))
        {
            status.OnForwarded(record.CreatedAt, now);
        }
    }

    public void Undeliverable(SourceShard shard, string reason, string action)
    {
        if (_undeliverable.Enabled)
        {
            _undeliverable.Add(1, new TagList { { "table", shard.TableName }, { "reason", reason }, { "action", action } });
        }
    }

    internal void Filtered(SourceShard shard, FilterVerdict reason)
    {
        if (_filtered.Enabled)
        {
            _filtered.Add(1, new TagList { { "table", shard.TableName }, { "reason", reason switch { FilterVerdict.Pattern => "Filter", FilterVerdict.IgnoreModifiesOf => "IgnoreModifiesOf", FilterVerdict.OlderThanChange => "OlderThanChange", _ => "OlderThanSnapshot" } } });
        }
    }

    public void PutRecordsRequest(string outcome) => _requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void KinesisRecordsAcknowledged(string stream, int records) => _kinesisRecords.Add(records, new KeyValuePair<string, object?>("stream", stream));

    /// <param name="targetShard">The target shard id, or null when the whole request failed.</param>
    public void EntriesFailed(string errorCode, int entries, bool throttled, string? targetShard)
    {
        if (_entriesFailed.Enabled)
        {
            _entriesFailed.Add(entries, new KeyValuePair<string, object?>("error_code", errorCode));
        }

        if (throttled && _entriesThrottled.Enabled)
        {
            _entriesThrottled.Add(entries, new KeyValuePair<string, object?>("target_shard", targetShard ?? PutRecordsFailureSummary.WholeRequest));
        }
    }

    public void Retry(bool throttled) => _retries.Add(1, new KeyValuePair<string, object?>("throttled", throttled));

    public void Trimmed(SourceShard shard)
    {
        if (_trimmed.Enabled)
        {
            _trimmed.Add(1, new TagList { { "table", shard.TableName }, { "shard", shard.ShardId } });
        }
    }

    public void ReadFailed(SourceShard shard, string error)
    {
        if (_readErrors.Enabled)
        {
            _readErrors.Add(1, new TagList { { "table", shard.TableName }, { "error", error } });
        }
    }

    public void LeaseTaken(string tableName) => _leasesTaken.Add(1, new KeyValuePair<string, object?>("table", tableName));

    /// <summary>Another worker took the lease: this worker must stop the shard without checkpointing.</summary>
    public void LeaseLost(string tableName) => _leasesLost.Add(1, new KeyValuePair<string, object?>("table", tableName));

    private IEnumerable<Measurement<double>> ObserveWatermarkDelay()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var stage in _merges.Keys)
        {
            if (stage.Watermark is { } watermark)
            {
                yield return new Measurement<double>(Math.Max(0, now - watermark) / 1000.0);
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveHoldingBack()
    {
        foreach (var stage in _merges.Keys)
        {
            foreach (var shard in stage.HoldingBack())
            {
                yield return new Measurement<int>(1, new KeyValuePair<string, object?>("table", shard.TableName), new KeyValuePair<string, object?>("shard", shard.ShardId));
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveLag()
    {
        var now = _time.GetUtcNow();
        foreach (var status in _shards.Values)
        {
            if (status.CaughtUp)
            {
                yield return new Measurement<double>(0, ShardTags(status.Shard));
            }
            else if (status.LastForwardedCreatedAt is { } created)
            {
                yield return new Measurement<double>(Math.Max(0, (now - created).TotalSeconds), ShardTags(status.Shard));
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveSinceRead()
    {
        var now = _time.GetUtcNow();
        return _shards.Values.Select(s => new Measurement<double>(Math.Max(0, (now - s.LastReadAt).TotalSeconds), ShardTags(s.Shard)));
    }

    private IEnumerable<Measurement<double>> ObserveCheckpointAge()
    {
        var now = _time.GetUtcNow();
        return _shards.Values.Select(s => new Measurement<double>(Math.Max(0, (now - s.LastCheckpointAt).TotalSeconds), ShardTags(s.Shard)));
    }

    private IEnumerable<Measurement<long>> ObserveInFlightRecords() =>
        _sinks.Keys.Select(s => new Measurement<long>(s.InFlightRecords, new KeyValuePair<string, object?>("stream", s.Stream.ToString())));

    private IEnumerable<Measurement<long>> ObserveInFlightBytes() =>
        _sinks.Keys.Select(s => new Measurement<long>(s.InFlightBytes, new KeyValuePair<string, object?>("stream", s.Stream.ToString())));

    private static TagList ShardTags(SourceShard shard) => new() { { "table", shard.TableName }, { "shard", shard.ShardId } };
}
