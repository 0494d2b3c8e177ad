using Amazon.DynamoDBv2;
using Bridge.Forwarding;
using Microsoft.Extensions.Logging;

namespace Bridge.Backfill;

/// <summary>What a backfill needs besides the sinks: the source table's client and the store of runs and segments.</summary>
internal sealed record BackfillServices(IAmazonDynamoDB DynamoDb, IBackfillStore Store);

/// <summary><c>StartPosition = Snapshot</c> for one source: on its first start, the table is scanned before its stream is read.</summary>
/// <remarks>
/// <para>Why nothing is missed: the run is recorded before the shard leases are created, and the leases start at TRIM_HORIZON
/// (no checkpoint). The stream read after the scan therefore holds every change made since the scan began (and up to
/// 24 hours before), provided the scan takes less than the stream's 24-hour retention; a change the scan already saw is
/// sent again (a duplicate, never a loss). Every snapshot record is acknowledged by Kinesis before the first stream record
/// is read, so per item, the last record a consumer gets is the item's latest change, or its snapshot if it has none.</para>
/// <para>A source that has checkpoints but no snapshot run was started before with another position: it is not scanned
/// (use the <c>backfill</c> command). A crash during the scan resumes it on the next start, because the run exists and is
/// not finished; a finished run is never scanned again.</para>
/// <para>Ordering by an attribute (<c>OrderBy</c>, merge mode) would suppress stream records older than the snapshot of
/// their item; that belongs between <see cref="ScanAsync"/> and the first consumer, once merge mode exists.</para>
/// </remarks>
internal sealed partial class SnapshotStart(ResolvedSource source, IBackfillStore store, TableBackfill backfill, BackfillOptions options, TimeProvider time, ILogger<SnapshotStart> logger)
{
    /// <summary>Call before any shard lease of the source is created. Returns the run to scan, or null when there is none to scan.</summary>
    /// <param name="hasCheckpoints">The source has shard leases already.</param>
    public async Task<BackfillRun?> BeginAsync(bool hasCheckpoints, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(source.TableName, BackfillRun.SnapshotRunId, cancellationToken).ConfigureAwait(false);
        if (run is { IsFinished: true })
        {
            return null;
        }

        if (run is null && hasCheckpoints)
        {
            LogNotFirstStart(source.TableName);
            return null;
        }

        return await store.StartRunAsync(BackfillRun.Begin(source.TableName, BackfillRun.SnapshotRunId, options.TotalSegments, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Scans the table to the end of the run (with any other workers); false when stopped first.</summary>
    public async Task<bool> ScanAsync(CancellationToken stop, CancellationToken drainDeadline) =>
        (await backfill.RunAsync(BackfillRun.SnapshotRunId, stop, drainDeadline).ConfigureAwait(false)).IsFinished;

    [LoggerMessage(EventId = 1520, Level = LogLevel.Information, Message = "Source {Table} has checkpoints from an earlier start: StartPosition Snapshot scans only a source's first start; run the backfill command to scan it now")]
    private partial void LogNotFirstStart(string table);
}
