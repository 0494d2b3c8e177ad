using System.Diagnostics;
using System.Net.Http;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Sink;

/// <summary>Writes routed records to one Kinesis stream with PutRecords, never letting a key's record overtake an earlier one.</summary>
/// <remarks>
/// <para>Invariants, checked by <see cref="AssertInvariants"/> under the lock:</para>
/// <list type="bullet">
/// <item>At most one entry per partition key is in flight: the head of its <see cref="KeyQueue"/>, or with
/// <see cref="KplAggregation"/> the head and the records right behind it as one aggregate. So a request never
/// carries two entries with the same key, and a failed entry is retried before anything newer of its key is sent,
/// while other keys keep flowing.</item>
/// <item>A key is in <see cref="_ready"/> exactly when it has records and its head is not in flight.</item>
/// <item>A record is acknowledged to its shard's progress only after Kinesis answered it with a sequence
/// number, so checkpoints stay behind acknowledged writes.</item>
/// </list>
/// Decisions are made under <see cref="_lock"/>; requests, delays and acknowledgements happen outside it.
/// </remarks>
public sealed partial class KinesisSink : IAsyncDisposable
{
    private readonly IKinesisClient _client;
    private readonly KinesisStreamRef _stream;
    private readonly SinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BridgeMetrics _metrics;
    private readonly FlowBudget _budget;
    private readonly Backoff _backoff;
    private readonly PutRecordsFailureSummary _failures;
    private readonly KplAggregation? _aggregation;
    private readonly WakeSignal _wake = new();
    private readonly Lock _lock = new();

    /// <summary>Queued records by partition key; a key is removed when its last record is acknowledged.</summary>
    private readonly Dictionary<string, KeyQueue> _keys = new(StringComparer.Ordinal);

    /// <summary>Keys whose head may be sent now, oldest first; retried keys go to the front.</summary>
    private readonly LinkedList<KeyQueue> _ready = new();

    /// <summary>Sends and retry delays under way, so disposal can wait for them.</summary>
    private readonly HashSet<Task> _work = [];

    /// <summary>Cancelled on disposal: abandons in-flight requests and retry delays (their records stay unacknowledged).</summary>
    private readonly CancellationTokenSource _abort = new();

    /// <summary>Faulted with the first non-retryable error; nothing is sent after it.</summary>
    private readonly TaskCompletionSource _fault = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TargetShardMap _map = TargetShardMap.Single;
    private TargetShardWindow[] _windows;
    private int _requestsInFlight;
    private Task? _dispatcher;
    private Task? _mapRefresher;

    /// <param name="aggregation">Packs a key's queued records into KPL aggregates; null sends one record per entry.</param>
    internal KinesisSink(IKinesisClient client, KinesisStreamRef stream, SinkOptions options, TimeProvider time, ILogger<KinesisSink> logger, BridgeMetrics metrics, KplAggregation? aggregation = null)
    {
        _aggregation = aggregation;
        _client = client;
        _stream = stream;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _budget = new FlowBudget(options.MaxInFlightRecords, options.MaxInFlightBytes);
        _backoff = new Backoff(options.RetryBaseDelay, options.RetryMaxDelay, Backoff.SharedRandom);
        _windows = [new TargetShardWindow(options)];
        _failures = new PutRecordsFailureSummary(stream.ToString(), FailureSummaryInterval, time, logger);
        metrics.ObserveSink(this);
    }

    /// <summary>Failed entries are logged as one summary per this interval, not one warning per request.</summary>
    private static readonly TimeSpan FailureSummaryInterval = TimeSpan.FromSeconds(10);

    public KinesisStreamRef Stream => _stream;

    /// <summary>Faults with the error that stopped the sink; never completes otherwise.</summary>
    public Task Completion => _fault.Task;

    /// <summary>Records accepted and not yet acknowledged.</summary>
    public int InFlightRecords => _budget.Records;

    public long InFlightBytes => _budget.Bytes;

    /// <summary>Reads the target's shard map and starts sending.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshShardMapAsync(cancellationToken).ConfigureAwait(false);
        _dispatcher = Task.Run(() => DispatchLoopAsync(_abort.Token), CancellationToken.None);
        _mapRefresher = Task.Run(() => RefreshShardMapLoopAsync(_abort.Token), CancellationToken.None);
    }

    /// <summary>Registers the record in its shard's progress and queues it behind every earlier record of its key;
    /// waits first while too much is in flight.</summary>
    /// <remarks>Cancellation can only happen before the record is registered, so a cancelled append leaves nothing
    /// behind that a drain would wait for.</remarks>
    public async ValueTask AppendAsync(OutboundRecord record, CancellationToken cancellationToken)
    {
        ThrowIfFaulted();
        await _budget.AcquireAsync(1, record.Size, cancellationToken).ConfigureAwait(false);
        record.Ticket = record.Progress.Register(record.Sequence, record.Size);
        Enqueue(record);
    }

    /// <summary>Queues a record its shard's progress registered already: the merge stage registers records when they
    /// are read, in stream order, and releases them later in merged order.</summary>
    internal async ValueTask AppendRegisteredAsync(OutboundRecord record, CancellationToken cancellationToken)
    {
        ThrowIfFaulted();
        await _budget.AcquireAsync(1, record.Size, cancellationToken).ConfigureAwait(false);
        Enqueue(record);
    }

    private void Enqueue(OutboundRecord record)
    {
        lock (_lock)
        {
            record.TargetShard = _map.ShardOf(record.PartitionKey);
            if (!_keys.TryGetValue(record.OrderKey, out var queue))
            {
                queue = new KeyQueue(record.OrderKey);
                _keys.Add(record.OrderKey, queue);
            }

            queue.Enqueue(record);
            if (queue.Count == 1 && !queue.HeadInFlight)
            {
                queue.ReadyNode = _ready.AddLast(queue);
            }
        }

        _wake.Set();
    }

    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync().ConfigureAwait(false);
        Task[] pending;
        lock (_lock)
        {
            pending = [.. _work, .. new[] { _dispatcher, _mapRefresher }.OfType<Task>()];
        }

        await Task.WhenAll(pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _abort.Dispose();
        _metrics.ForgetSink(this);
        _failures.Dispose();
    }

    private async Task DispatchLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
                while (TryTakeBatch(out var batch))
                {
                    Track(SendAsync(batch, cancellationToken));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    /// <summary>Takes the oldest ready keys' heads (or aggregates) into one request, within the request limits and each target shard's window.</summary>
    private bool TryTakeBatch(out PutRecordsBatch batch)
    {
        batch = new PutRecordsBatch(_options.MaxBatchEntries);
        List<OutboundRecord>? dropped = null;
        try
        {
            return TryTakeBatch(batch, ref dropped);
        }
        finally
        {
            // Released outside the lock: a waiting appender may continue inline.
            foreach (var record in dropped ?? [])
            {
                _budget.Release(1, record.Size);
            }
        }
    }

    private bool TryTakeBatch(PutRecordsBatch batch, ref List<OutboundRecord>? dropped)
    {
        lock (_lock)
        {
            AssertInvariants();
            if (_fault.Task.IsCompleted || _requestsInFlight >= _options.MaxConcurrentRequests)
            {
                return false;
            }

            var node = _ready.First;
            while (node is not null && batch.Count < _options.MaxBatchEntries)
            {
                var next = node.Next;
                var queue = node.Value;

                // Records of a shard whose lease was lost are dropped unsent: the new owner sends them again, in
                // order, from its checkpoint. Only a ready head can go (an in-flight one is already on the wire).
                while (queue.Count > 0 && queue.Head.Progress.IsAbandoned)
                {
                    (dropped ??= []).Add(queue.Dequeue());
                }

                if (queue.Count == 0)
                {
                    _ready.Remove(node);
                    queue.ReadyNode = null;
                    _keys.Remove(queue.OrderKey);
                    node = next;
                    continue;
                }

                // The window first: a key whose target shard is full is skipped before its records are packed.
                var window = _windows[queue.Head.TargetShard];
                if (window.IsFull)
                {
                    node = next;
                    continue;
                }

                var entry = _aggregation?.Pack(queue) ?? new OutboundEntry(queue.Head);
                if (!batch.Fits(entry, _options.MaxBatchBytes))
                {
                    break;
                }

                window.Reserve();
                _ready.Remove(node);
                queue.ReadyNode = null;
                queue.HeadInFlight = true;
                batch.Add(entry);
                node = next;
            }

            if (batch.Count == 0)
            {
                return false;
            }

            _requestsInFlight++;
            return true;
        }
    }

    private async Task SendAsync(PutRecordsBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            PutRecordsResult result;
            try
            {
                result = await _client.PutRecordsAsync(_stream, batch.ToEntries(), cancellationToken).ConfigureAwait(false);
                _metrics.PutRecordsRequest(outcome: "ok");
            }
            catch (Exception ex) when (IsRetryable(ex, cancellationToken))
            {
                var code = (ex as AwsServiceException)?.ErrorCode ?? ex.GetType().Name;
                var throttledRequest = ex is ProvisionedThroughputExceededException or ThrottlingException or LimitExceededException;
                _metrics.PutRecordsRequest(outcome: code);
                EntriesFailed(code, batch.Count, throttledRequest, targetShard: null);
                LogRequestFailed(_stream.ToString(), batch.Count, ex.GetType().Name, ex.Message);
                lock (_lock)
                {
                    _requestsInFlight--;
                }

                foreach (var entry in batch.Entries)
                {
                    ScheduleRetry(entry.Head, throttledRequest);
                }

                return;
            }

            lock (_lock)
            {
                _requestsInFlight--;
            }

            Complete(batch, result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed mid-request: the records stay unacknowledged, so their checkpoint never passes them.
        }
        catch (Exception ex)
        {
            LogSinkFailed(_stream.ToString(), ex);
            _fault.TrySetException(ex);
        }
        finally
        {
            _wake.Set();
        }
    }

    private void Complete(PutRecordsBatch batch, PutRecordsResult result)
    {
        if (result.Records.Length != batch.Count)
        {
            throw new InvalidOperationException($"PutRecords answered {result.Records.Length} entries for {batch.Count}.");
        }

        var now = _time.GetUtcNow();
        var throttledShards = new HashSet<int>();
        var deliveredShards = new HashSet<int>();
        var acknowledged = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var entry = batch.Entries[i];
            var answer = result.Records[i];
            if (answer.Succeeded)
            {
                deliveredShards.Add(entry.Head.TargetShard);
                Acknowledge(entry, now);
                acknowledged++;
            }
            else
            {
                var throttled = answer.ErrorCode == nameof(ProvisionedThroughputExceededException);
                if (throttled)
                {
                    throttledShards.Add(entry.Head.TargetShard);
                }

                var targetShard = _map.ShardIdAt(Math.Min(entry.Head.TargetShard, _map.Count - 1));
                EntriesFailed(answer.ErrorCode!, 1, throttled, targetShard);
                ScheduleRetry(entry.Head, throttled);
            }
        }

        _metrics.KinesisRecordsAcknowledged(_stream.ToString(), acknowledged);
        lock (_lock)
        {
            foreach (var shard in deliveredShards.Except(throttledShards).Where(s => s < _windows.Length))
            {
                _windows[shard].OnDelivered();
            }
        }
    }

    /// <summary>Counts failed entries in the metrics and the periodic log summary.</summary>
    /// <param name="targetShard">The target shard id, or null when the whole request failed.</param>
    private void EntriesFailed(string errorCode, int entries, bool throttled, string? targetShard)
    {
        _metrics.EntriesFailed(errorCode, entries, throttled, targetShard);
        _failures.Add(targetShard ?? PutRecordsFailureSummary.WholeRequest, errorCode, entries, throttled);
    }

    /// <summary>Pops the acknowledged entry's records off the front of their key's queue and makes the key's next record sendable.</summary>
    private void Acknowledge(in OutboundEntry entry, DateTimeOffset now)
    {
        lock (_lock)
        {
            var queue = _keys[entry.OrderKey];
            Debug.Assert(queue.HeadInFlight, "only a key's in-flight entry is acknowledged");
            for (var i = 0; i < entry.Count; i++)
            {
                var popped = queue.Dequeue();
                Debug.Assert(ReferenceEquals(popped, entry[i]), "an entry is the front of its key's queue, in order");
            }

            queue.HeadInFlight = false;
            ReleaseWindow(entry.Head);
            if (queue.Count > 0)
            {
                queue.ReadyNode = _ready.AddLast(queue);
            }
            else
            {
                _keys.Remove(entry.OrderKey);
            }
        }

        for (var i = 0; i < entry.Count; i++)
        {
            var record = entry[i];
            record.Progress.Acknowledge(record.Ticket);
            _budget.Release(1, record.Size);
            _metrics.RecordForwarded(record, now);
        }
    }

    /// <summary>Keeps the failed head in flight through its backoff, so nothing newer of its key can pass it, then puts it first in line.</summary>
    /// <remarks>An aggregate is not kept: the key's next entry is packed again from the head, possibly with more records.</remarks>
    private void ScheduleRetry(OutboundRecord record, bool throttled)
    {
        record.FailedAttempts++;
        lock (_lock)
        {
            ReleaseWindow(record);
            if (throttled && record.TargetShard < _windows.Length)
            {
                _windows[record.TargetShard].OnThrottled();
            }
        }

        _metrics.Retry(throttled);
        var delay = _backoff.DelayBefore(record.FailedAttempts);
        Track(RetryLaterAsync(record, delay, _abort.Token));
    }

    private async Task RetryLaterAsync(OutboundRecord record, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_lock)
        {
            var queue = _keys[record.OrderKey];
            queue.HeadInFlight = false;
            record.TargetShard = Math.Min(record.TargetShard, _windows.Length - 1);
            queue.ReadyNode = _ready.AddFirst(queue);
        }

        _wake.Set();
    }

    private void ReleaseWindow(OutboundRecord record)
    {
        if (record.TargetShard < _windows.Length)
        {
            _windows[record.TargetShard].Release();
        }
    }

    private async Task RefreshShardMapLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.ShardMapRefreshInterval, _time, cancellationToken).ConfigureAwait(false);
                await RefreshShardMapAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (IsRetryable(ex, cancellationToken))
            {
                LogShardMapFailed(_stream.ToString(), ex.Message);
            }
        }
    }

    private async Task RefreshShardMapAsync(CancellationToken cancellationToken)
    {
        var shards = await _client.ListAllShardsAsync(_stream, cancellationToken).ConfigureAwait(false);
        var map = TargetShardMap.FromShards(shards);
        lock (_lock)
        {
            if (map.Count == _map.Count && Enumerable.Range(0, map.Count).All(i => map.ShardIdAt(i) == _map.ShardIdAt(i)))
            {
                return;
            }

            // Windows are rebuilt for the new shards; records already queued keep their old index, clamped
            // when it no longer exists. In-flight counts of the old windows are dropped with them, which
            // can only let a little more through for one round trip.
            _map = map;
            _windows = [.. Enumerable.Range(0, map.Count).Select(_ => new TargetShardWindow(_options))];
            foreach (var queue in _keys.Values)
            {
                foreach (var record in queue)
                {
                    record.TargetShard = map.ShardOf(record.PartitionKey);
                }
            }
        }

        LogShardMap(_stream.ToString(), map.Count);
    }

    private void Track(Task task)
    {
        lock (_lock)
        {
            _work.Add(task);
        }

        task.ContinueWith(
            t =>
            {
                lock (_lock)
                {
                    _work.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void ThrowIfFaulted()
    {
        if (_fault.Task.IsFaulted)
        {
            throw new InvalidOperationException($"The sink to {_stream} stopped.", _fault.Task.Exception!.InnerException);
        }
    }

    /// <summary>Errors worth retrying at the sink: the wire client already retried them, but records must never be dropped.</summary>
    private static bool IsRetryable(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        ProvisionedThroughputExceededException or ThrottlingException or LimitExceededException or InternalFailureException => true,
        AwsServiceException aws => aws.ErrorCode.StartsWith("KMSThrottling", StringComparison.Ordinal) || (int)aws.StatusCode >= 500,
        HttpRequestException or TimeoutException => true,
        _ => false,
    };

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        foreach (var queue in _ready)
        {
            Debug.Assert(queue.Count > 0 && !queue.HeadInFlight, "a ready key has a head that is not in flight");
        }
    }

    // Debug only: the operator's view of failures is the periodic summary (event 3005).
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "PutRecords to {Stream} failed for {Entries} entries ({ErrorType}: {Error}); retrying them in order")]
    private partial void LogRequestFailed(string stream, int entries, string errorType, string error);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Sink to {Stream} stopped on a non-retryable error; the bridge drains and exits 1")]
    private partial void LogSinkFailed(string stream, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Could not refresh the shard map of {Stream}: {Error}")]
    private partial void LogShardMapFailed(string stream, string error);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Target stream {Stream} has {OpenShards} open shards")]
    private partial void LogShardMap(string stream, int openShards);
}
