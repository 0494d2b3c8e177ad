using System.Diagnostics;
using Bridge.Aws.Kinesis;

namespace Bridge.Benchmarks.Simulation;

/// <summary><c>hotkey</c>: one key receiving records as fast as the source gives them, forwarded in strict order.</summary>
/// <remarks>
/// The order invariant allows one record per key in flight, so a single key moves at most one record per PutRecords
/// round trip, whatever the concurrency. Three cases, side by side in one run: the hot key
/// with the target shard's limit lifted (what the invariant alone allows), the same records over 1000 keys (the
/// control: what the engine does when order costs nothing), and the hot key under AWS's 1000 records/s per shard
/// (what production would see: one key always lands on one target shard). The source's backlog is deep, so every page
/// is full and the engine reads the next one at once: only the sink limits the rate. Every accepted entry is checked against the
/// previous one of its key: any out-of-order acceptance fails the run.
/// </remarks>
internal static class HotKeyCommand
{
    public static async Task<int> RunAsync(bool smoke)
    {
        var window = TimeSpan.FromSeconds(smoke ? 1.5 : 10);
        var table = new ResultTable(
            $"Hot key: records/s in strict per-key order (PutRecords 30 ms, GetRecords 20 ms, {window.TotalSeconds:F1} s per case)",
            ["case", "keys", "target shard limit", "records/s", "vs 1000 keys", "PutRecords/s", "entries/request", "order violations"]);
        var control = await RunCaseAsync(keys: 1000, limited: false, window);
        var hot = await RunCaseAsync(keys: 1, limited: false, window);
        var hotLimited = await RunCaseAsync(keys: 1, limited: true, window);
        foreach (var (name, keys, limited, result) in new[] { ("1000 keys (control)", 1000, false, control), ("hot key", 1, false, hot), ("hot key, AWS limit", 1, true, hotLimited) })
        {
            table.Add(name, keys.ToString(), limited ? "1000 rec/s, 1 MiB/s" : "none", result.RecordsPerSecond.ToString("N0"),
                (result.RecordsPerSecond / control.RecordsPerSecond).ToString("P2"), result.RequestsPerSecond.ToString("F1"),
                (result.RecordsPerSecond / Math.Max(0.001, result.RequestsPerSecond)).ToString("F0"), result.Violations.ToString());
        }

        table.Print();
        var ok = control.Violations + hot.Violations + hotLimited.Violations == 0 && hot.RecordsPerSecond > 0 && hotLimited.RecordsPerSecond > 0;
        Console.WriteLine(ok ? "Per-key order held in every case." : "FAILED: per-key order was violated or nothing was forwarded.");
        return ok ? 0 : 1;
    }

    private static async Task<(double RecordsPerSecond, double RequestsPerSecond, long Violations)> RunCaseAsync(int keys, bool limited, TimeSpan window)
    {
        var time = TimeProvider.System;
        var order = new OrderCheck();
        var stream = new SimulatedStream(1, 0, 1024, time, backlog: 10_000_000, keys: keys);
        var kinesis = limited
            ? new SimulatedKinesis(ScaleCommand.TargetShards, time) { OnAccepted = order.Accept }
            : new SimulatedKinesis(ScaleCommand.TargetShards, time, double.PositiveInfinity, double.PositiveInfinity) { OnAccepted = order.Accept };
        var options = InProcessBridge.DefaultOptions();
        // A hot key's backlog cannot drain at ~30 records/s: give the drain half a second, not three.
        options.ShutdownTimeout = InProcessBridge.DefaultOptions().ShutdownTimeout - TimeSpan.FromSeconds(2.5);
        await using var bridge = new InProcessBridge(stream, kinesis, options);
        await Task.Delay(TimeSpan.FromSeconds(1));
        bridge.ThrowIfFaulted();
        long accepted0 = kinesis.Accepted, requests0 = kinesis.Requests;
        var start = Stopwatch.GetTimestamp();
        await Task.Delay(window);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        bridge.ThrowIfFaulted();
        return ((kinesis.Accepted - accepted0) / seconds, (kinesis.Requests - requests0) / seconds, order.Violations);
    }

    /// <summary>Checks that each key's accepted records carry increasing sequence numbers (all 21 digits: compared as text).</summary>
    private sealed class OrderCheck
    {
        private readonly Dictionary<string, byte[]> _last = [];

        public long Violations { get; private set; }

        /// <summary>Called under the simulated Kinesis stream's lock, so no lock of its own.</summary>
        public void Accept(PutRecordsEntry entry)
        {
            var data = entry.Data.Head.Span; // the record as it came, sequence number included
            var at = data.IndexOf("\"SequenceNumber\":\""u8) + "\"SequenceNumber\":\"".Length;
            var sequence = data.Slice(at, 21);
            if (_last.TryGetValue(entry.PartitionKey, out var previous))
            {
                if (sequence.SequenceCompareTo(previous) <= 0)
                {
                    Violations++;
                }

                sequence.CopyTo(previous);
            }
            else
            {
                _last[entry.PartitionKey] = sequence.ToArray();
            }
        }
    }
}
