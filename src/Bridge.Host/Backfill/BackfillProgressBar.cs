using System.Globalization;
using Bridge.Backfill;

namespace Bridge.Host.Backfill;

/// <summary>A one-line progress bar on the terminal (standard error), redrawn in place; nothing when standard error is redirected (logs only).</summary>
internal static class BackfillProgressBar
{
    private const int Width = 30;

    public static bool IsWanted => !Console.IsErrorRedirected;

    /// <summary>Redraws every half second until <paramref name="cancellationToken"/>; the progress is read from <paramref name="progress"/> once the run is known.</summary>
    public static async Task RunAsync(Func<BackfillProgress?> progress, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500), time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (progress() is { } current)
                {
                    await Console.Error.WriteAsync("\r" + Render(current)).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (progress() is { } last)
            {
                await Console.Error.WriteLineAsync("\r" + Render(last)).ConfigureAwait(false);
            }
        }
    }

    public static string Render(BackfillProgress progress)
    {
        var filled = (int)Math.Round(progress.Fraction * Width);
        var left = progress.EstimatedTimeLeft is { } eta ? eta.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', Width - filled)}] {progress.Fraction * 100,5:F1}%  {progress.ItemsScanned:N0} items  {progress.BytesScanned / 1048576.0:F1} MiB  {progress.SegmentsDone}/{progress.Run.TotalSegments} segments  {progress.ItemsPerSecond:N0} items/s  ETA {left} ");
    }
}
