namespace Bridge.Backfill;

/// <summary>Backfill runs and their segments, kept next to the shard leases with the same conditional-write discipline.</summary>
/// <remarks>
/// <c>Try*</c> methods return null (or false) when the condition failed: another worker changed the segment, which for
/// its holder means it is lost (the new holder continues from the stored resume key; pages in between are sent twice,
/// never skipped). Transport and service errors throw. Implementations: <see cref="DynamoDbBackfillStore"/>, and an
/// in-memory fake for tests.
/// </remarks>
public interface IBackfillStore
{
    /// <summary>The run as stored, or null when it was never started.</summary>
    Task<BackfillRun?> GetRunAsync(string tableName, string runId, CancellationToken cancellationToken);

    /// <summary>Every run of the table, finished or not (consistent read).</summary>
    Task<IReadOnlyList<BackfillRun>> ListRunsAsync(string tableName, CancellationToken cancellationToken);

    /// <summary>Records <paramref name="proposed"/> and its unowned segments unless the run exists; returns the run as stored
    /// (the first starter's segment count and start time win).</summary>
    Task<BackfillRun> StartRunAsync(BackfillRun proposed, CancellationToken cancellationToken);

    /// <summary>Every segment of the run (consistent read).</summary>
    Task<IReadOnlyList<ScanSegment>> ListSegmentsAsync(BackfillRun run, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="owner"/> the holder if the counter is still <paramref name="seen"/>'s and the segment is not done.</summary>
    Task<ScanSegment?> TryTakeAsync(ScanSegment seen, string owner, CancellationToken cancellationToken);

    /// <summary>Bumps the counter (a heartbeat) and stores <paramref name="resumeKey"/> and <paramref name="done"/>, if <paramref name="held"/>'s owner and counter still hold.</summary>
    Task<ScanSegment?> TryCheckpointAsync(ScanSegment held, string? resumeKey, bool done, CancellationToken cancellationToken);

    /// <summary>Removes the owner if <paramref name="held"/>'s owner and counter still hold, so another worker continues at once.</summary>
    Task<bool> TryReleaseAsync(ScanSegment held, CancellationToken cancellationToken);

    /// <summary>Records the run as finished (the first finisher's time stays); returns the run as stored.</summary>
    Task<BackfillRun> FinishRunAsync(BackfillRun run, DateTimeOffset finishedAt, CancellationToken cancellationToken);

    /// <summary>Records that the finished run's <see cref="SnapshotFloor"/> is no longer needed (the first release's time
    /// stays); returns the run as stored. Throws <c>ConditionalCheckFailedException</c> when the run is not finished.</summary>
    Task<BackfillRun> ReleaseFloorAsync(BackfillRun run, DateTimeOffset releasedAt, CancellationToken cancellationToken);
}
