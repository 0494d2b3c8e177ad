using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Protocol;
using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.Filtering;
using Bridge.Ordering;
using Bridge.Routing;
using Bridge.Sink;
using Bridge.Source;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Forwarding;

/// <summary>The one owner of one source shard: read → route → sink → checkpoint, until SHARD_END or stop.</summary>
/// <remarks>
/// Exactly one consumer runs per shard at a time, so the shard's records enter the sink in stream order
/// and its checkpoint has a single writer. Shutdown order: stop reading, wait for what was read to be
/// acknowledged (bounded), write the final checkpoint. Shutdown reasons rank LEASE_LOST &gt; SHARD_END &gt;
/// REQUESTED: once the lease is lost the consumer returns at once and writes nothing, even at shard end.
/// </remarks>
internal sealed partial class ShardConsumer(
    ShardReader reader,
    SourceFilter? filter,
    RecordRouter router,
    KinesisSink sink,
    KinesisSink? deadLetterSink,
    ShardProgress progress,
    ShardCheckpointer checkpointer,
    HeldLease lease,
    ShardStatus status,
    UndeliverableAction onUndeliverable,
    int maxRecordBytes,
    TimeProvider time,
    ILogger logger,
    BridgeMetrics metrics,
    MergeInlet? merge = null,
    SnapshotFloor? floor = null)
{
    private readonly SourceShard _shard = reader.Shard;

    /// <summary>A record of this shard was found older than its item's snapshot already (logged once per consumer).</summary>
    private bool _suppressedAny;

    /// <param name="stopReading">Stop reading new records (shutdown or lost ownership).</param>
    /// <param name="drainDeadline">Give up waiting for in-flight records; what was acknowledged is still checkpointed.</param>
    public async Task<ShardOutcome> RunAsync(CancellationToken stopReading, CancellationToken drainDeadline)
    {
        LogStarted(_shard.TableName, _shard.ShardId);

        // Lease lost: the sink drops what it holds of this shard and has not sent yet; merged, of every shard of the
        // round, which is lost first so no shard's record of a key goes out after another's earlier one was dropped.
        using var abandon = lease.Lost.Register(() =>
        {
            merge?.OnShardLost();
            progress.Abandon();
        });
        try
        {
            var outcome = await ReadAsync(stopReading).ConfigureAwait(false);
            if (outcome != ShardOutcome.Ended)
            {
                // Merge mode: records still held were never sent; the drain waits only for what was.
                merge?.Withdraw();
            }

            // A lost round's unsent records are dropped, never acknowledged: waiting for them would only run out the deadline.
            using var drainOrLost = CancellationTokenSource.CreateLinkedTokenSource(drainDeadline, lease.Lost, merge?.RoundLost ?? default);
            var drained = await DrainAsync(drainOrLost.Token).ConfigureAwait(false);
            if (!lease.CheckValid())
            {
                return ShardOutcome.LeaseLost;
            }

            if (outcome == ShardOutcome.Ended && drained)
            {
                return await checkpointer.CheckpointShardEndAsync(drainOrLost.Token).ConfigureAwait(false) ? ShardOutcome.Ended : ShardOutcome.LeaseLost;
            }

            using var finalWrite = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
            await checkpointer.TryCheckpointAsync(finalWrite.Token).ConfigureAwait(false);
            if (lease.IsLost)
            {
                return ShardOutcome.LeaseLost;
            }

            return outcome == ShardOutcome.Ended ? ShardOutcome.Stopped : outcome;
        }
        catch (OperationCanceledException) when (lease.IsLost)
        {
            return ShardOutcome.LeaseLost;
        }
        finally
        {
            if (status.BlockedReason is null)
            {
                metrics.Untrack(_shard);
            }
        }
    }

    private async Task<ShardOutcome> ReadAsync(CancellationToken stopReading)
    {
        try
        {
            while (true)
            {
                ShardPage page;
                var readStartedAt = time.GetUtcNow();
                try
                {
                    page = await reader.ReadAsync(stopReading).ConfigureAwait(false);
                }
                catch (Exception ex) when (TransientFailure.Is(ex) && !stopReading.IsCancellationRequested)
                {
                    // The source is unreachable or throttling past the wire client's own retries. Keep the shard
                    // (and its place in the stream) and try again: health reports the stall, and reading resumes
                    // by itself when the source answers again, which a crash-and-restart could not do better.
                    var failures = status.OnReadFailed($"{ex.GetType().Name}: {ex.Message}");
                    metrics.ReadFailed(_shard, ex.GetType().Name);
                    if (failures == 1)
                    {
                        LogReadFailing(_shard.TableName, _shard.ShardId, ex.GetType().Name, ex.Message);
                    }

                    await Task.Delay(ReadRetry.DelayBefore(failures), time, stopReading).ConfigureAwait(false);
                    continue;
                }

                if (status.ConsecutiveReadFailures is var failed and > 0)
                {
                    LogReadRecovered(_shard.TableName, _shard.ShardId, failed);
                }

                status.OnRead(time.GetUtcNow(), caughtUp: page.Records.Length == 0 && progress.Pending == 0);
                metrics.RecordsRead(_shard, page.Records.Length);
                foreach (var record in page.Records)
                {
                    // A pause (GC, SIGSTOP) may have outlasted the lease since the last renewal: nothing more is
                    // appended then, as another worker may be sending the same records already.
                    if (!lease.CheckValid())
                    {
                        return ShardOutcome.LeaseLost;
                    }

                    if (!await ForwardAsync(record, stopReading).ConfigureAwait(false))
                    {
                        return ShardOutcome.Blocked;
                    }
                }

                if (page.AtTip)
                {
                    merge?.OnCaughtUp(readStartedAt);
                }

                await checkpointer.MaybeCheckpointAsync(stopReading).ConfigureAwait(false);
                if (lease.IsLost)
                {
                    return ShardOutcome.LeaseLost;
                }

                if (page.IsEnd)
                {
                    LogShardEnd(_shard.TableName, _shard.ShardId);
                    return ShardOutcome.Ended;
                }
            }
        }
        catch (OperationCanceledException) when (stopReading.IsCancellationRequested)
        {
            return ShardOutcome.Stopped;
        }
    }

    /// <summary>1 s, doubling per failure in a row, at most 30 s, without jitter: gentle on a source that is coming back.</summary>
    internal static readonly Backoff ReadRetry = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), static () => 1.0);

    /// <returns>False when the shard must stop before this record.</returns>
    private async ValueTask<bool> ForwardAsync(StreamRecord record, CancellationToken cancellationToken)
    {
        var sequence = record.SequenceNumber;
        if (filter is not null && filter.Check(record) is var verdict and not FilterVerdict.Forward)
        {
            // Intentionally not forwarded: passed, so the checkpoint passes it.
            metrics.Filtered(_shard, verdict);
            await PassAsync(record, cancellationToken).ConfigureAwait(false);
            return true;
        }

        var outcome = router.Route(record);
        long orderValue = 0;
        if (outcome.IsRouted && merge is not null && !merge.TrySelectOrderValue(record, out orderValue, out var problem))
        {
            outcome = RouteOutcome.Undeliverable(UndeliverableReason.NoOrderValue, problem!);
        }

        if (outcome.IsRouted && floor is not null && floor.IsOlderThanSnapshot(record, orderValue))
        {
            // Its item's snapshot, already in Kinesis, is newer: forwarding it would take the item back.
            metrics.Filtered(_shard, FilterVerdict.OlderThanSnapshot);
            if (!_suppressedAny)
            {
                _suppressedAny = true;
                LogOlderThanSnapshot(_shard.TableName, _shard.ShardId, record.SequenceNumber);
            }

            await PassAsync(record, cancellationToken).ConfigureAwait(false);
            return true;
        }

        if (outcome.IsRouted)
        {
            await progress.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            await SendAsync(sink, new OutboundRecord(_shard, sequence, outcome.PartitionKey, outcome.Data, record.ApproximateCreationDateTime, progress, outcome.Size) { Item = merge?.ItemOf(record) }, orderValue, cancellationToken).ConfigureAwait(false);
            return true;
        }

        var reason = outcome.Reason.ToString();
        var keys = StreamRecordKeys.Describe(record.Json.Span);
        metrics.Undeliverable(_shard, reason, onUndeliverable.ToString());
        switch (onUndeliverable)
        {
            case UndeliverableAction.Skip:
                LogSkipped(_shard.TableName, _shard.ShardId, record.SequenceNumber, keys, reason, outcome.Message!);
                await PassAsync(record, cancellationToken).ConfigureAwait(false);
                return true;

            case UndeliverableAction.DeadLetter when deadLetterSink is not null:
                LogDeadLettered(_shard.TableName, _shard.ShardId, record.SequenceNumber, keys, reason, outcome.Message!);
                var envelope = DeadLetterEnvelope.Wrap(_shard, sequence.Value, reason, outcome.Message!, keys, record.Json.Span, maxRecordBytes - _shard.ShardId.Length);
                await progress.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
                await SendAsync(deadLetterSink, new OutboundRecord(_shard, sequence, _shard.ShardId, envelope, record.ApproximateCreationDateTime, progress), orderValue: null, cancellationToken).ConfigureAwait(false);
                return true;

            default:
                status.BlockedReason = $"{reason} at sequence {record.SequenceNumber} ({keys}): {outcome.Message}";
                LogBlocked(_shard.TableName, _shard.ShardId, record.SequenceNumber, keys, reason, outcome.Message!);
                return false;
        }
    }

    /// <summary>Hands a record to a sink, or in Merge mode registers it now, in stream order, and holds it in the merge
    /// stage, which appends it once the watermark reaches it (<paramref name="orderValue"/>; null: at the shard's turn).</summary>
    private ValueTask SendAsync(KinesisSink destination, OutboundRecord record, long? orderValue, CancellationToken cancellationToken)
    {
        if (merge is null)
        {
            return destination.AppendAsync(record, cancellationToken);
        }

        record.Ticket = progress.Register(record.Sequence, record.Size);
        merge.Hold(record, destination, orderValue);
        return ValueTask.CompletedTask;
    }

    /// <summary>Passes a record deliberately not forwarded: the checkpoint may pass it once every earlier record of the
    /// shard is done. In Merge mode it waits its shard's turn in the merge stage, so what a shard holds stays the tail of
    /// what it registered.</summary>
    private async ValueTask PassAsync(StreamRecord record, CancellationToken cancellationToken)
    {
        await progress.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        var ticket = progress.Register(record.SequenceNumber, 0);
        if (merge is null)
        {
            progress.Acknowledge(ticket);
            return;
        }

        merge.Hold(new OutboundRecord(_shard, record.SequenceNumber, _shard.ShardId, default, record.ApproximateCreationDateTime, progress, size: 0) { Ticket = ticket }, destination: null, orderValue: null);
    }

    private async Task<bool> DrainAsync(CancellationToken drainDeadline)
    {
        try
        {
            await progress.WhenDrainedAsync(drainDeadline).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (drainDeadline.IsCancellationRequested)
        {
            LogDrainTimedOut(_shard.TableName, _shard.ShardId, progress.Pending);
            return false;
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Shard {Table}/{ShardId} started")]
    private partial void LogStarted(string table, string shardId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Shard {Table}/{ShardId} reached SHARD_END; draining before its children start")]
    private partial void LogShardEnd(string table, string shardId);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Critical, Message = "Shard {Table}/{ShardId} BLOCKED at sequence {SequenceNumber} (keys {Keys}): {Reason}: {Detail}. Nothing of this shard is forwarded past it; fix the item or set Bridge:OnUndeliverable to Skip or DeadLetter, then restart")]
    private partial void LogBlocked(string table, string shardId, SequenceNumber sequenceNumber, string keys, string reason, string detail);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "Skipped undeliverable record of {Table}/{ShardId} at sequence {SequenceNumber} (keys {Keys}): {Reason}: {Detail}")]
    private partial void LogSkipped(string table, string shardId, SequenceNumber sequenceNumber, string keys, string reason, string detail);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Dead-lettered record of {Table}/{ShardId} at sequence {SequenceNumber} (keys {Keys}): {Reason}: {Detail}")]
    private partial void LogDeadLettered(string table, string shardId, SequenceNumber sequenceNumber, string keys, string reason, string detail);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Error, Message = "Reads of shard {Table}/{ShardId} are failing ({ErrorType}: {Error}); retrying with backoff until the source answers")]
    private partial void LogReadFailing(string table, string shardId, string errorType, string error);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "Reads of shard {Table}/{ShardId} succeed again after {Failures} failed attempts")]
    private partial void LogReadRecovered(string table, string shardId, int failures);

    [LoggerMessage(EventId = 1525, Level = LogLevel.Information, Message = "Shard {Table}/{ShardId}: stream records older than their item's snapshot are not forwarded, the first at sequence {SequenceNumber}; counted in bridge.records.filtered (reason OlderThanSnapshot)")]
    private partial void LogOlderThanSnapshot(string table, string shardId, SequenceNumber sequenceNumber);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Shard {Table}/{ShardId} stopped with {Pending} records unacknowledged; they will be sent again after restart")]
    private partial void LogDrainTimedOut(string table, string shardId, int pending);
}
