using Bridge.Backfill;
using Bridge.Forwarding;
using Microsoft.Extensions.Logging;

namespace Bridge.Host.Backfill;

/// <summary>The <c>backfill</c> command in Merge mode with <c>OrderBy</c>: records the run, for the worker that holds the
/// merge group to scan (<see cref="MergedBackfill"/>: one writer per item keeps each item's states in order), and watches
/// its segments until it finishes.</summary>
/// <remarks>Stopping the command stops the watching only: the run goes on in the worker. A run nobody takes (no worker
/// running with this configuration) is said once, after two lease durations.</remarks>
internal sealed partial class BackfillWatch(IBackfillStore store, BridgeOptions options, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <returns>The run as last seen: finished, or not when <paramref name="stop"/> ended the watching first.</returns>
    public async Task<BackfillRun> RunAsync(ResolvedSource source, string runId, CancellationToken stop)
    {
        var run = await store.StartRunAsync(BackfillRun.Begin(source.TableName, runId, options.Backfill.TotalSegments, time.GetUtcNow()), stop).ConfigureAwait(false);
        if (run.IsFinished)
        {
            return run;
        }

        LogRecorded(run.TableName, run.RunId, run.TotalSegments);
        var started = time.GetTimestamp();
        var (lastDone, warned) = (-1, false);
        using var timer = new PeriodicTimer(PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    run = await store.GetRunAsync(run.TableName, run.RunId, stop).ConfigureAwait(false) ?? run;
                    if (run.IsFinished)
                    {
                        return run;
                    }

                    var segments = await store.ListSegmentsAsync(run, stop).ConfigureAwait(false);
                    var done = segments.Count(s => s.IsDone);
                    if (done != lastDone)
                    {
                        lastDone = done;
                        LogSegments(run.TableName, run.RunId, done, run.TotalSegments, string.Join(", ", segments.Where(s => !s.IsDone && s.Owner is not null).Select(s => s.Owner).Distinct()));
                    }

                    if (!warned && segments.All(s => s.Counter == 0) && time.GetElapsedTime(started) >= 2 * options.Leases.Duration)
                    {
                        warned = true;
                        LogNotTaken(run.TableName, run.RunId, time.GetElapsedTime(started).TotalSeconds);
                    }
                }
                catch (Exception ex) when (TransientFailure.Is(ex, stop))
                {
                    LogPollFailed(run.TableName, run.RunId, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped watching; the run is the worker's.
        }

        return run;
    }

    [LoggerMessage(EventId = 1535, Level = LogLevel.Information, Message = "Backfill {Table}/{RunId} recorded ({TotalSegments} segments): in Merge mode with OrderBy the worker that holds the merge group scans it, in order with the stream per item; watching it here (stopping this command does not stop the run)")]
    private partial void LogRecorded(string table, string runId, int totalSegments);

    [LoggerMessage(EventId = 1536, Level = LogLevel.Information, Message = "Backfill {Table}/{RunId}: {Done}/{TotalSegments} segments done; scanning: {Owners}")]
    private partial void LogSegments(string table, string runId, int done, int totalSegments, string owners);

    [LoggerMessage(EventId = 1537, Level = LogLevel.Warning, Message = "Backfill {Table}/{RunId}: no worker has taken a segment in {Seconds:F0} s; it is scanned by the worker that holds the merge group: is one running with this configuration?")]
    private partial void LogNotTaken(string table, string runId, double seconds);

    [LoggerMessage(EventId = 1538, Level = LogLevel.Warning, Message = "Watching backfill {Table}/{RunId} failed: {Error}; retrying")]
    private partial void LogPollFailed(string table, string runId, string error);
}
