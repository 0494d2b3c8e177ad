namespace Bridge.Filtering;

/// <summary>What <see cref="SourceFilter.Check"/> decided for one record.</summary>
internal enum FilterVerdict
{
    /// <summary>Forward the record.</summary>
    Forward,

    /// <summary>Dropped: <c>Filter</c> is set and none of its patterns match.</summary>
    Pattern,

    /// <summary>Dropped: a MODIFY that changed only attributes named in <c>IgnoreModifiesOf</c>.</summary>
    IgnoreModifiesOf,

    /// <summary>Not forwarded: Merge mode with <c>OrderBy</c> after a snapshot, a stream record whose order value is below
    /// its item's snapshot's (see <c>SnapshotFloor</c>).</summary>
    OlderThanSnapshot,

    /// <summary>Not sent: Merge mode with <c>OrderBy</c>, an on-demand backfill's snapshot record whose item already went
    /// out with a newer change (see <c>ItemOrderGate</c>).</summary>
    OlderThanChange,
}
