namespace Bridge.Backfill;

/// <summary>One backfill of one table, as recorded in the checkpoint table: started once, finished once, never repeated by accident.</summary>
/// <param name="RunId">Names the backfill: <see cref="SnapshotRunId"/> for <c>StartPosition = Snapshot</c>, or the one given to the
/// <c>backfill</c> command. A finished run of that name is not scanned again; a new consumer gets a new name.</param>
/// <param name="TotalSegments">Fixed by whoever started the run, so every worker and every resume splits the table the same way.</param>
/// <param name="ScanStartedAt">At least a minute before the run was first recorded, at a whole minute (see <see cref="Begin"/>):
/// every change made after the scan began has a stream <c>ApproximateCreationDateTime</c> at or after it.</param>
/// <param name="FinishedAt">When the last segment was acknowledged by Kinesis; null while the run is under way.</param>
/// <param name="FloorReleasedAt">Merge mode with <c>OrderBy</c>: when the merge watermark passed the run, so stream records
/// older than their item's snapshot can no longer come and the <see cref="SnapshotFloor"/> is not rebuilt on a restart; null before.</param>
public sealed record BackfillRun(string TableName, string RunId, int TotalSegments, DateTimeOffset ScanStartedAt, DateTimeOffset? FinishedAt = null, DateTimeOffset? FloorReleasedAt = null)
{
    /// <summary>The run of <c>StartPosition = Snapshot</c>: one per table, ever.</summary>
    public const string SnapshotRunId = "snapshot";

    /// <summary>How long a DynamoDB stream keeps a record. A <c>StartPosition = Snapshot</c> scan that takes longer than
    /// this reads the stream from <c>TRIM_HORIZON</c> after changes made early in the scan were trimmed.</summary>
    public static readonly TimeSpan StreamRetention = TimeSpan.FromHours(24);

    public bool IsFinished => FinishedAt is not null;

    /// <summary>Whether a snapshot scan ending at <paramref name="end"/> outlives the stream's retention since the scan began.</summary>
    public bool OutlivesStream(DateTimeOffset end) => end - ScanStartedAt >= StreamRetention;

    /// <summary>A run to propose now. Its start is rounded down to the minute and moved a minute earlier, because stream records'
    /// <c>ApproximateCreationDateTime</c> is rounded down (to the second by DynamoDB, to the minute by DynamoDB Local): so every
    /// change made after the scan began has a creation time at or after <see cref="ScanStartedAt"/>, which is what a consumer
    /// compares to tell which changes a backfill record may not reflect. Earlier is safe: it only counts more changes as new.</summary>
    public static BackfillRun Begin(string tableName, string runId, int totalSegments, DateTimeOffset now) =>
        new(tableName, runId, totalSegments, CreatedBefore(now));

    /// <summary>A stream creation time every change made at or after <paramref name="now"/> has at least: <paramref name="now"/>
    /// rounded down to the minute, less a minute (see <see cref="Begin"/>).</summary>
    public static DateTimeOffset CreatedBefore(DateTimeOffset now) => DateTimeOffset.FromUnixTimeSeconds((now.ToUnixTimeSeconds() / 60 * 60) - 60);

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
