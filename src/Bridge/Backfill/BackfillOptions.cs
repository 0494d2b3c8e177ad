using System.ComponentModel.DataAnnotations;

namespace Bridge.Backfill;

/// <summary>How a table is scanned for a backfill (section <c>Bridge:Backfill</c>): by <c>StartPosition = Snapshot</c> on first start, or by the <c>backfill</c> command.</summary>
public sealed class BackfillOptions
{
    /// <summary>Parallel scan segments (<c>TotalSegments</c>). Fixed when a backfill starts: a resumed backfill keeps the count it started with.</summary>
    [Range(1, 1_000_000)]
    public int TotalSegments { get; set; } = 16;

    /// <summary>Segments one worker scans at a time; with several workers (or a running bridge and a <c>backfill</c>
    /// command) the others take the rest.</summary>
    [Range(1, 1024)]
    public int ConcurrentSegments { get; set; } = 4;

    /// <summary>Items per Scan page (<c>Limit</c>); a page also stops at 1 MB. A segment's checkpoint moves once per page.</summary>
    [Range(1, 100_000)]
    public int PageSize { get; set; } = 1000;

    /// <summary>Read budget of the whole scan in read capacity units per second, so it cannot starve the application
    /// (on-demand tables too: there it bounds the cost and the share of the table's throughput). Per worker.</summary>
    [Range(1, 1_000_000)]
    public int ReadUnitsPerSecond { get; set; } = 1000;

    /// <summary>Strongly consistent Scan pages (twice the read units). Off by default: the stream that follows the
    /// scan carries every change an eventually consistent page might have missed.</summary>
    public bool ConsistentRead { get; set; }

    /// <summary>Merge mode with <c>OrderBy</c>, <c>StartPosition = Snapshot</c>: most items whose snapshot floor the scan
    /// keeps in memory as it sends them (about 55 bytes each). Past it the scan's floor is dropped and built from the
    /// stream after the scan instead: one entry per item changed in the stream rather than per item of the table, for
    /// one more read of the stream and at least 10 s. 0: always from the stream.</summary>
    [Range(0, int.MaxValue)]
    public int MaxScanFloorItems { get; set; } = 1_000_000;

    /// <summary>How often a progress line is logged while a backfill runs.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(10);
}
