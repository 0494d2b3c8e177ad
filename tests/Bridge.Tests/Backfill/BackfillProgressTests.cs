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
    public void A_scan_whose_estimated_end_is_a_day_after_it_began_outlives_the_streams_retention()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddMinutes(1));
        var progress = new BackfillProgress(Run, tableItemCount: 1000, tableSizeBytes: 0, time);
        Assert.Null(progress.EstimatedEnd);

        // 100 of 1000 items in 2 h: 18 h left, ending 20 h after the scan began.
        time.Advance(TimeSpan.FromHours(2));
        progress.OnPage(100, 1);
        Assert.Equal(Run.ScanStartedAt + TimeSpan.FromHours(20) + TimeSpan.FromMinutes(1), progress.EstimatedEnd);
        Assert.False(Run.OutlivesStream(progress.EstimatedEnd!.Value));

        // 10 more in the next 2 h: 4 h for 110 items, about 32 h left.
        time.Advance(TimeSpan.FromHours(2));
        progress.OnPage(10, 1);
        Assert.True(Run.OutlivesStream(progress.EstimatedEnd!.Value));

        Assert.False(Run.OutlivesStream(Run.ScanStartedAt + BackfillRun.StreamRetention - TimeSpan.FromSeconds(1)));
        Assert.True(Run.OutlivesStream(Run.ScanStartedAt + BackfillRun.StreamRetention));
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
