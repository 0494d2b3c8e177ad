using Bridge.Backfill;
using Microsoft.Extensions.Time.Testing;

namespace Bridge.Tests.Backfill;

public class BackfillProgressTests
{
    private static readonly BackfillRun Run = new("Rooms", "r", 4, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Rate_and_time_left_follow_the_items_scanned_against_the_tables_count()
    {
        var time = new FakeTimeProvider();
        var progress = new BackfillProgress(Run, tableItemCount: 1000, tableSizeBytes: 100_000, time);
        Assert.Null(progress.EstimatedTimeLeft);

        time.Advance(TimeSpan.FromSeconds(10));
        progress.OnPage(250, 10_000);

        Assert.Equal(25, progress.ItemsPerSecond);
        Assert.Equal(0.25, progress.Fraction);
        Assert.Equal(TimeSpan.FromSeconds(30), progress.EstimatedTimeLeft);
    }

    [Fact]
    public void Lagging_table_counts_never_push_the_estimate_past_done()
    {
        var time = new FakeTimeProvider();
        var progress = new BackfillProgress(Run, tableItemCount: 100, tableSizeBytes: 0, time);
        time.Advance(TimeSpan.FromSeconds(1));

        progress.OnPage(150, 1);

        Assert.Equal(1, progress.Fraction);
        Assert.Equal(TimeSpan.Zero, progress.EstimatedTimeLeft);
    }

    [Fact]
    public void An_empty_table_count_falls_back_to_segments_done()
    {
        var time = new FakeTimeProvider();
        var progress = new BackfillProgress(Run, tableItemCount: 0, tableSizeBytes: 0, time);

        progress.OnSegmentDone();

        Assert.Equal(0.25, progress.Fraction);
    }
}
