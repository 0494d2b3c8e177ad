using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Protocol;
using Bridge.Coordination;
using Bridge.Filtering;
using Bridge.Forwarding;
using Bridge.Routing;
using Bridge.Sink;
using Bridge.Source;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Backfill;

/// <summary>How a segment's scan ended here.</summary>
internal enum SegmentOutcome
{
    /// <summary>Every page scanned and acknowledged; the segment is recorded done.</summary>
    Done,

    /// <summary>Stopped on request: what was acknowledged is checkpointed and the segment released.</summary>
    Stopped,

    /// <summary>Another worker took the segment; this one wrote nothing more.</summary>
    Lost,
}

/// <summary>Scans one held segment page by page from its checkpoint, and forwards each item as a <see cref="SnapshotRecord"/> through the stream records' path: router, then sink.</summary>
/// <remarks>
/// A page's <c>LastEvaluatedKey</c> is checkpointed only once Kinesis acknowledged every item of it and of the pages
/// before it (<see cref="ShardProgress.AckedThrough"/> over the segment's item ordinals), so a crash resumes at a page
/// that was not completely sent: items may go out twice, none is skipped. Pages are read ahead while earlier ones are
/// in flight, bounded by the per-shard in-flight caps (<see cref="ReaderOptions"/>).
/// </remarks>
internal sealed partial class SegmentScanner(
    IAmazonDynamoDB dynamoDb,
    SegmentHold hold,
    SnapshotRecord snapshot,
    RecordRouter router,
    SourceFilter? filter,
    KinesisSink sink,
    KinesisSink? deadLetterSink,
    ReadBudget budget,
    BackfillProgress progress,
    SourceShard source,
    BridgeOptions options,
    TimeProvider time,
    ILogger logger,
    BridgeMetrics metrics,
    SnapshotFloor? floor = null,
    ItemOrderGate? gate = null)
{
    private readonly ScanPageReader _pages = new(dynamoDb, time, logger);

    /// <summary>Pages appended to the sink and not yet checkpointed, oldest first: the ordinal of each page's last item (items are numbered from 1 in the order they are appended), and where the next page starts.</summary>
    private readonly Queue<(long LastItem, string? ResumeKey)> _unacknowledgedPages = new();

    private readonly ShardProgress _acks = new(options.Reading.MaxInFlightRecordsPerShard, options.Reading.MaxInFlightBytesPerShard, gate?.RoundLost ?? default);

    private long _ordinal;

    public async Task<SegmentOutcome> RunAsync(CancellationToken stop, CancellationToken drainDeadline)
    {
        var segment = hold.Current;
        using var stopOrLost = CancellationTokenSource.CreateLinkedTokenSource(stop, hold.Lost);
        using var abandon = hold.Lost.Register(_acks.Abandon);
        var renewing = RenewAsync(stopOrLost.Token);
        try
        {
            LogSegmentStarted(segment.Run.TableName, segment.Run.RunId, segment.Segment, segment.Run.TotalSegments, segment.ResumeKey is null ? "the start" : "its checkpoint");
            var finished = await ScanAsync(segment, stopOrLost.Token).ConfigureAwait(false);
            using var drainOrLost = CancellationTokenSource.CreateLinkedTokenSource(drainDeadline, hold.Lost);
            var drained = await DrainAsync(drainOrLost.Token).ConfigureAwait(false);
            if (hold.IsLost)
            {
                return SegmentOutcome.Lost;
            }

            var done = finished && drained;
            if (!await CheckpointAcknowledgedAsync(done, CancellationToken.None).ConfigureAwait(false))
            {
                return SegmentOutcome.Lost;
            }

            if (done)
            {
                // Taken from its creation (counter 0 → 1), so no other attempt sent any of its items: the floor has them all.
                if (segment.Counter == 1 && segment.ResumeKey is null)
                {
                    floor?.MarkScannedWhole(segment.Segment);
                }

                progress.OnSegmentDone();
                metrics.BackfillSegmentDone(source.TableName);
                LogSegmentDone(segment.Run.TableName, segment.Run.RunId, segment.Segment, segment.Run.TotalSegments);
                return SegmentOutcome.Done;
            }

            await hold.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
            return SegmentOutcome.Stopped;
        }
        catch (OperationCanceledException) when (hold.IsLost)
        {
            return SegmentOutcome.Lost;
        }
        finally
        {
            await stopOrLost.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
        }
    }

    /// <returns>True when the last page was appended; false when stopped before.</returns>
    private async Task<bool> ScanAsync(ScanSegment segment, CancellationToken cancellationToken)
    {
        var resumeKey = segment.ResumeKey is { } stored ? AttributeValueJson.ParseKey(stored) : null;
        try
        {
            while (true)
            {
                await budget.WaitAsync(cancellationToken).ConfigureAwait(false);
                var page = await ScanPageAsync(segment, resumeKey, cancellationToken).ConfigureAwait(false);
                var readAt = time.GetUtcNow();
                var items = page.Items ?? [];
                long pageBytes = 0;
                using (gate?.PageRead(readAt))
                {
                    foreach (var item in items)
                    {
                        var size = AttributeValueJson.EstimateSize(item);
                        pageBytes += size;
                        await ForwardAsync(item, size, readAt, cancellationToken).ConfigureAwait(false);
                    }
                }

                budget.Spend(page.ConsumedCapacity?.CapacityUnits ?? EstimateReadUnits(pageBytes));
                progress.OnPage(items.Count, pageBytes);
                metrics.BackfillScanned(source.TableName, items.Count, pageBytes);
                resumeKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
                _unacknowledgedPages.Enqueue((_ordinal, resumeKey is null ? null : AttributeValueJson.FormatKey(resumeKey)));
                if (resumeKey is null)
                {
                    return true;
                }

                await CheckpointAcknowledgedAsync(done: false, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private Task<ScanResponse> ScanPageAsync(ScanSegment segment, Dictionary<string, AttributeValue>? resumeKey, CancellationToken cancellationToken) =>
        _pages.ReadAsync(
            new ScanRequest
            {
                TableName = segment.Run.TableName,
                Segment = segment.Segment,
                TotalSegments = segment.Run.TotalSegments,
                Limit = options.Backfill.PageSize,
                ExclusiveStartKey = resumeKey,
                ConsistentRead = options.Backfill.ConsistentRead,
                ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL,
            },
            source.ShardId,
            cancellationToken);

    private async ValueTask ForwardAsync(Dictionary<string, AttributeValue> item, long size, DateTimeOffset readAt, CancellationToken cancellationToken)
    {
        var ordinal = SequenceNumber.Parse((++_ordinal).ToString(CultureInfo.InvariantCulture));
        var eventId = string.Create(CultureInfo.InvariantCulture, $"{source.ShardId}-{_ordinal}");
        var record = snapshot.Create(item, eventId, readAt, size);
        await _acks.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        if (filter is not null && filter.Check(record) is var verdict and not FilterVerdict.Forward)
        {
            // Left out by the source's filter, as its stream records are: counted, and passed by the segment's checkpoint.
            metrics.Filtered(source, verdict);
            PassOver(ordinal);
            return;
        }

        var outcome = router.Route(record);

        // The floor is raised before the record can reach Kinesis, so every snapshot record sent has its floor (a filtered
        // one is never sent, so no later change of its item is held back by it).
        if (outcome.IsRouted && floor is not null && !floor.TryRaiseFromScan(record, out var problem))
        {
            outcome = RouteOutcome.Undeliverable(UndeliverableReason.NoOrderValue, problem!);
        }

        if (outcome.IsRouted && gate is not null)
        {
            if (await TrySendThroughGateAsync(gate, record, outcome, ordinal, readAt, cancellationToken).ConfigureAwait(false) is not { } problemAtGate)
            {
                return;
            }

            outcome = RouteOutcome.Undeliverable(UndeliverableReason.NoOrderValue, problemAtGate);
        }

        if (outcome.IsRouted)
        {
            // Items of one partition key need no order among themselves (each is a state, and a scan finds each item once), so
            // they do not wait for each other in the sink; with KPL aggregation they share their key's queue, to be packed together.
            var orderKey = options.Target.Aggregation == RecordAggregation.None ? eventId : null;
            await sink.AppendAsync(new OutboundRecord(source, ordinal, outcome.PartitionKey, outcome.Data, readAt, _acks, outcome.Size, orderKey), cancellationToken).ConfigureAwait(false);
            return;
        }

        var reason = outcome.Reason.ToString();
        var keys = StreamRecordKeys.Describe(record.Json.Span);
        metrics.Undeliverable(source, reason, options.OnUndeliverable.ToString());
        switch (options.OnUndeliverable)
        {
            case UndeliverableAction.Skip:
                LogSkipped(source.TableName, source.ShardId, keys, reason, outcome.Message!);
                PassOver(ordinal);
                break;

            case UndeliverableAction.DeadLetter when deadLetterSink is not null:
                LogDeadLettered(source.TableName, source.ShardId, keys, reason, outcome.Message!);
                var envelope = DeadLetterEnvelope.Wrap(source, ordinal.Value, reason, outcome.Message!, keys, record.Json.Span, options.Sink.MaxRecordBytes - source.ShardId.Length);
                await deadLetterSink.AppendAsync(new OutboundRecord(source, ordinal, source.ShardId, envelope, readAt, _acks), cancellationToken).ConfigureAwait(false);
                break;

            default:
                // As a stream shard blocks: the backfill stops before this item, its segment checkpointed before the page.
                throw new BackfillBlockedException($"Backfill {source.TableName} segment {source.ShardId} is blocked by item {keys}: {reason}: {outcome.Message} Fix the item or set Bridge:OnUndeliverable to Skip or DeadLetter, then run the backfill again: it resumes at this page.");
        }
    }

    /// <summary>An on-demand run while the stream is forwarded (Merge mode with <c>OrderBy</c>): the snapshot record meets
    /// its item's changes at the gate, and waits behind its partition key's records in the sink like a change.</summary>
    /// <returns>Null when it went through the gate (sent, or not sent because a newer change of its item was); otherwise why
    /// it cannot be ordered (it is undeliverable).</returns>
    private async ValueTask<string?> TrySendThroughGateAsync(ItemOrderGate gate, StreamRecord record, RouteOutcome outcome, SequenceNumber ordinal, DateTimeOffset readAt, CancellationToken cancellationToken)
    {
        if (!gate.OrderBy.TrySelect(record, out var orderValue, out var problem))
        {
            return problem;
        }

        if (!GatedItem.TryRead(record, out var item))
        {
            return "The record has no readable dynamodb.Keys.";
        }

        var outbound = new OutboundRecord(source, ordinal, outcome.PartitionKey!, outcome.Data, readAt, _acks, outcome.Size);
        if (!await gate.TrySendAsync(item, orderValue, isSnapshot: true, () => sink.AppendAsync(outbound, cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            // Its item went out with a newer change meanwhile: the consumer has a newer state than this one.
            metrics.Filtered(source, FilterVerdict.OlderThanChange);
            PassOver(ordinal);
        }

        return null;
    }

    /// <summary>An item deliberately not sent (filtered, skipped, older than its item's last change): the segment's
    /// checkpoint passes it in its turn.</summary>
    private void PassOver(SequenceNumber ordinal) => _acks.Acknowledge(_acks.Register(ordinal, 0));

    /// <summary>Checkpoints the newest page whose items, and every earlier page's, Kinesis acknowledged.</summary>
    /// <returns>False when the segment was lost.</returns>
    private async Task<bool> CheckpointAcknowledgedAsync(bool done, CancellationToken cancellationToken)
    {
        // Every item registers exactly one ticket, in ordinal order: ordinals 1..n are acknowledged when n tickets are.
        var acked = _acks.AcknowledgedCount;
        var pages = 0;
        string? resumeKey = null;
        while (_unacknowledgedPages.TryPeek(out var page) && page.LastItem <= acked)
        {
            _unacknowledgedPages.Dequeue();
            resumeKey = page.ResumeKey;
            pages++;
        }

        if (pages == 0 && !done)
        {
            return true;
        }

        return await hold.CheckpointAsync(done ? null : resumeKey ?? hold.Current.ResumeKey, done, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> DrainAsync(CancellationToken drainDeadline)
    {
        try
        {
            await _acks.WhenDrainedAsync(drainDeadline).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (drainDeadline.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Heartbeats between checkpoints, so a segment waiting on the read budget or the sink is not taken as abandoned.</summary>
    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Leases.EffectiveRenewInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await hold.RenewAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (TransientFailure.Is(ex))
                {
                    LogRenewFailed(source.TableName, source.ShardId, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Scan over, stopped or lost.
        }
    }

    /// <summary>Eventually consistent reads cost half a unit per 4 KB, strongly consistent a whole one; used when the service does not say.</summary>
    private double EstimateReadUnits(long bytes)
    {
        var units = Math.Max(1, Math.Ceiling(bytes / 4096.0));
        return options.Backfill.ConsistentRead ? units : units / 2;
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Backfill {Table}/{RunId}: scanning segment {Segment} of {TotalSegments} from {From}")]
    private partial void LogSegmentStarted(string table, string runId, int segment, int totalSegments, string from);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Information, Message = "Backfill {Table}/{RunId}: segment {Segment} of {TotalSegments} done")]
    private partial void LogSegmentDone(string table, string runId, int segment, int totalSegments);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Error, Message = "Skipped undeliverable item of {Table} ({Segment}, keys {Keys}): {Reason}: {Detail}")]
    private partial void LogSkipped(string table, string segment, string keys, string reason, string detail);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "Dead-lettered item of {Table} ({Segment}, keys {Keys}): {Reason}: {Detail}")]
    private partial void LogDeadLettered(string table, string segment, string keys, string reason, string detail);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Warning, Message = "Renewing backfill segment {Table}/{Segment} failed: {Error}; retrying at the next interval")]
    private partial void LogRenewFailed(string table, string segment, string error);
}

/// <summary>An item the bridge cannot send stops the backfill, as it stops a stream shard, when <c>Bridge:OnUndeliverable</c> is <c>Block</c>.</summary>
public sealed class BackfillBlockedException(string message) : Exception(message);
