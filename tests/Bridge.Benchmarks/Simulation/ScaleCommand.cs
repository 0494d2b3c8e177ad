using System.Diagnostics;
using Bridge.Benchmarks.Workload;

namespace Bridge.Benchmarks.Simulation;

/// <summary><c>scale</c>: how many source shards at 1000 records/s one worker forwards into 64 target shards.</summary>
/// <remarks>
/// Steps the source shard count up; each step runs the real engine against <see cref="SimulatedStream"/> and
/// <see cref="SimulatedKinesis"/> for a warm-up, then measures for a fixed window: forwarded vs offered records/s, how
/// the backlog (written but not yet in Kinesis) grew, the process's CPU and memory. A step is sustained when the
/// worker forwards ≥ 98 % of what is offered and the backlog grew by less than one second of input. The 64 target
/// shards accept at most 64 000 records/s, so no worker can sustain more than 64 source shards at 1000 records/s.
/// </remarks>
internal static class ScaleCommand
{
    public const int TargetShards = 64;

    public const int RecordsPerShardPerSecond = 1000;

    /// <summary>Asks for 700 B: the workload's smallest record (every type in the new image, keys only in the old one).</summary>
    public const int RecordBytes = 700;

    /// <param name="merge">Runs the engine in Merge mode (one worker merges every shard), to find that mode's ceiling.</param>
    public static async Task<int> RunAsync(bool smoke, bool merge = false)
    {
        int[] steps = smoke ? [2] : [10, 25, 40, 50, 60];
        var warmup = TimeSpan.FromSeconds(smoke ? 1 : 5);
        var window = TimeSpan.FromSeconds(smoke ? 2 : 20);
        var table = new ResultTable(
            $"Scale: source shards × {RecordsPerShardPerSecond} records/s → {TargetShards} target shards, one worker ({Environment.ProcessorCount} cores), {(merge ? "Merge" : "Shard")} mode, {window.TotalSeconds:F0} s per step",
            ["source shards", "offered rec/s", "forwarded rec/s", "forwarded/offered", "backlog growth", "MB/s out", "CPU (cores)", "CPU µs/record", "entries/request", "GC heap MB", "working set MB", "throttled entries", "sustained"]);
        var largest = 0;
        var forwardedAny = false;
        foreach (var shards in steps)
        {
            var step = await RunStepAsync(shards, warmup, window, merge);
            table.Add(step.Cells);
            forwardedAny |= step.Forwarded > 0;
            if (step.Sustained)
            {
                largest = shards;
            }
        }

        table.Print();
        Console.WriteLine($"Largest source shard count sustained: {largest} (target: ≥ 50; hard limit from {TargetShards} target shards: {TargetShards}).");
        Console.WriteLine($"Records of {new SimulatedStream(1, 0, RecordBytes, TimeProvider.System).RecordBytes} B at the source over 10 000 keys. CPU includes the simulation's own work (building GetRecords answers, timers); HTTP, TLS and signing are not simulated.");
        // The smoke's window is too short to judge "sustained"; it checks that records flowed without a fault.
        return smoke ? (forwardedAny ? 0 : 1) : 0;
    }

    private static async Task<(bool Sustained, double Forwarded, string[] Cells)> RunStepAsync(int shards, TimeSpan warmup, TimeSpan window, bool merge)
    {
        var time = TimeProvider.System;
        var stream = new SimulatedStream(shards, RecordsPerShardPerSecond, RecordBytes, time);
        var kinesis = new SimulatedKinesis(TargetShards, time);
        GC.Collect();
        var options = InProcessBridge.DefaultOptions();
        options.Ordering.Mode = merge ? Bridge.Ordering.OrderingMode.Merge : Bridge.Ordering.OrderingMode.Shard;
        await using var bridge = new InProcessBridge(stream, kinesis, options);
        await Task.Delay(warmup);
        bridge.ThrowIfFaulted();

        using var process = Process.GetCurrentProcess();
        var start = Stopwatch.GetTimestamp();
        var cpu0 = process.TotalProcessorTime;
        long written0 = stream.Written(), accepted0 = kinesis.Accepted, bytes0 = kinesis.AcceptedBytes, throttled0 = kinesis.Throttled, requests0 = kinesis.Requests;
        long peakHeap = 0, peakWorkingSet = 0;
        while (Stopwatch.GetElapsedTime(start) < window)
        {
            await Task.Delay(250);
            bridge.ThrowIfFaulted();
            process.Refresh();
            peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
            peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
        }

        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        long written1 = stream.Written(), accepted1 = kinesis.Accepted;
        var offered = (written1 - written0) / seconds;
        var forwarded = (accepted1 - accepted0) / seconds;
        var growth = (written1 - accepted1) - (written0 - accepted0);
        var sustained = forwarded >= 0.98 * offered && growth < shards * RecordsPerShardPerSecond;
        return (sustained, forwarded,
        [
            shards.ToString(),
            offered.ToString("N0"),
            forwarded.ToString("N0"),
            (forwarded / offered).ToString("P1"),
            $"{growth:N0} ({growth / (double)(shards * RecordsPerShardPerSecond):F1} s)",
            ((kinesis.AcceptedBytes - bytes0) / 1e6 / seconds).ToString("F1"),
            (cpu / seconds).ToString("F2"),
            (cpu * 1e6 / Math.Max(1, accepted1 - accepted0)).ToString("F1"),
            ((accepted1 - accepted0) / (double)Math.Max(1, kinesis.Requests - requests0)).ToString("F0"),
            (peakHeap / 1e6).ToString("F0"),
            (peakWorkingSet / 1e6).ToString("F0"),
            (kinesis.Throttled - throttled0).ToString("N0"),
            sustained ? "yes" : "NO",
        ]);
    }
}
