namespace Bridge.Backfill;

/// <summary>One backfill of one table, as recorded in the checkpoint table: started once, finished once, never repeated by accident.</summary>
/// <param name="RunId">Names the backfill: <see cref="SnapshotRunId"/> for <c>StartPosition = Snapshot</c>, or the one given to the
/// <c>backfill</c> command. A finished run of that name is not scanned again; a new consumer gets a new name.</param>
/// <param name="TotalSegments">Fixed by whoever started the run, so every worker and every resume splits the table the same way.</param>
/// <param name="ScanStartedAt">When the run was first recorded: every change after it reaches the stream that follows the scan.</param>
/// <param name="FinishedAt">When the last segment was acknowledged by Kinesis; null while the run is under way.</param>
public sealed record BackfillRun(string TableName, string RunId, int TotalSegments, DateTimeOffset ScanStartedAt, DateTimeOffset? FinishedAt = null)
{
    /// <summary>The run of <c>StartPosition = Snapshot</c>: one per table, ever.</summary>
    public const string SnapshotRunId = "snapshot";

    public bool IsFinished => FinishedAt is not null;

    /// <summary>A run id is a name: letters, digits, <c>.</c>, <c>_</c>, <c>-</c>, at most 64.</summary>
    public static bool IsValidRunId(string? runId) =>
        runId is { Length: > 0 and <= 64 } && runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    public override string ToString() => $"{TableName}/{RunId}";
}

/// <summary>One segment of a run's parallel scan, as stored: who scans it, how far it got, and its optimistic-locking counter (as a shard lease).</summary>
/// <param name="ResumeKey">The <c>LastEvaluatedKey</c> of the last page Kinesis acknowledged completely, as DynamoDB JSON; null before the first page.</param>
/// <param name="IsDone">Every page of the segment was acknowledged: nobody scans it again.</param>
public sealed record ScanSegment(BackfillRun Run, int Segment, string? Owner, long Counter, string? ResumeKey, bool IsDone)
{
    public override string ToString() => $"{Run}/segment {Segment} of {Run.TotalSegments}";
}
