using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Bridge.Sink;
using Bridge.Source;

namespace Bridge.Telemetry;

/// <summary>The bridge's one <see cref="Meter"/>: every instrument, named <c>bridge.&lt;area&gt;.&lt;name&gt;</c> with a unit.</summary>
public sealed class BridgeMetrics
{
    public const string MeterName = "Bridge";

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<SourceShard, ShardStatus> _shards = new();
    private readonly Counter<long> _recordsRead;
    private readonly Counter<long> _recordsForwarded;
    private readonly Counter<long> _bytesForwarded;
    private readonly Counter<long> _undeliverable;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _entriesFailed;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _trimmed;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _leaseEvents;

    public BridgeMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        var meter = meterFactory.Create(MeterName);
        _leaseEvents = meter.CreateCounter<long>("bridge.leases.events", "{event}", "Lease changes of this worker, by event: taken, lost, released.");
        _recordsRead = meter.CreateCounter<long>("bridge.source.records_read", "{record}", "Stream records read from DynamoDB Streams.");
        _recordsForwarded = meter.CreateCounter<long>("bridge.sink.records_forwarded", "{record}", "Records acknowledged by Kinesis.");
        _bytesForwarded = meter.CreateCounter<long>("bridge.sink.bytes_forwarded", "By", "Bytes (data plus partition key) acknowledged by Kinesis.");
        _undeliverable = meter.CreateCounter<long>("bridge.records.undeliverable", "{record}", "Records that could not be routed (no key, too large, malformed), by reason and action taken.");
        _requests = meter.CreateCounter<long>("bridge.sink.put_records.requests", "{request}", "PutRecords requests, by outcome (ok or the error code).");
        _entriesFailed = meter.CreateCounter<long>("bridge.sink.entries_failed", "{entry}", "PutRecords entries answered with an error code (retried), by code and target shard.");
        _retries = meter.CreateCounter<long>("bridge.sink.retries", "{entry}", "Entries scheduled for another attempt, by whether the cause was throttling.");
        _trimmed = meter.CreateCounter<long>("bridge.source.trimmed", "{event}", "Times a shard's unread records were trimmed by the source before the bridge read them (data lost at the source).");
        _latency = meter.CreateHistogram<double>("bridge.forward.latency", "s", "Time from the change in the table (ApproximateCreationDateTime) to Kinesis acknowledging it.");
        meter.CreateObservableGauge("bridge.source.lag", ObserveLag, "s", "Now minus ApproximateCreationDateTime of the newest forwarded record, per source shard.");
        meter.CreateObservableGauge("bridge.source.since_last_read", ObserveSinceRead, "s", "Time since the last successful GetRecords, per source shard.");
        meter.CreateObservableGauge("bridge.checkpoint.age", ObserveCheckpointAge, "s", "Time since the last checkpoint write, per source shard.");
        meter.CreateObservableGauge("bridge.source.shards", () => _shards.Count, "{shard}", "Source shards being read.");
    }

    /// <summary>The shards being read now; health checks look at these.</summary>
    public ICollection<ShardStatus> Shards => _shards.Values;

    /// <summary>Observes the sink's in-flight records and bytes.</summary>
    public void ObserveSink(IMeterFactory meterFactory, KinesisSink sink)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("bridge.sink.in_flight.records", () => sink.InFlightRecords, "{record}", "Records read and not yet acknowledged.");
        meter.CreateObservableGauge("bridge.sink.in_flight.bytes", () => sink.InFlightBytes, "By", "Bytes read and not yet acknowledged.");
    }

    public ShardStatus Track(SourceShard shard) => _shards[shard] = new ShardStatus(shard, _time.GetUtcNow());

    public void Untrack(SourceShard shard) => _shards.TryRemove(shard, out _);

    public void RecordsRead(SourceShard shard, int count)
    {
        if (count > 0)
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
            status.OnForwarded(record.CreatedAt);
        }
    }

    public void Undeliverable(SourceShard shard, string reason, string action) =>
        _undeliverable.Add(1, new TagList { { "table", shard.TableName }, { "reason", reason }, { "action", action } });

    public void PutRecordsRequest(string outcome) => _requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void EntryFailed(string errorCode, string targetShard) =>
        _entriesFailed.Add(1, new TagList { { "error_code", errorCode }, { "target_shard", targetShard } });

    public void Retry(bool throttled) => _retries.Add(1, new KeyValuePair<string, object?>("throttled", throttled));

    public void LeaseEvent(string @event) => _leaseEvents.Add(1, new KeyValuePair<string, object?>("event", @event));

    public void Trimmed(SourceShard shard) =>
        _trimmed.Add(1, new TagList { { "table", shard.TableName }, { "shard", shard.ShardId } });

    private IEnumerable<Measurement<double>> ObserveLag()
    {
        var now = _time.GetUtcNow();
        foreach (var status in _shards.Values)
        {
            if (status.LastForwardedCreatedAt is { } created)
            {
                yield return new Measurement<double>(Math.Max(0, (now - created).TotalSeconds), ShardTags(status.Shard));
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveSinceRead()
    {
        var now = _time.GetUtcNow();
        return _shards.Values.Select(s => new Measurement<double>((now - s.LastReadAt).TotalSeconds, ShardTags(s.Shard)));
    }

    private IEnumerable<Measurement<double>> ObserveCheckpointAge()
    {
        var now = _time.GetUtcNow();
        return _shards.Values.Select(s => new Measurement<double>((now - s.LastCheckpointAt).TotalSeconds, ShardTags(s.Shard)));
    }

    private static TagList ShardTags(SourceShard shard) => new() { { "table", shard.TableName }, { "shard", shard.ShardId } };
}
