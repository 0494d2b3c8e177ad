using Bridge.Sink;
using Bridge.Testing;
using System.Diagnostics;
using Bridge.Aws.Kinesis;

namespace Bridge.Benchmarks.Simulation;

/// <summary><c>hotkey</c>: one key receiving records as fast as the source gives them, forwarded in strict order.</summary>
/// <remarks>
/// The order invariant allows one record per key in flight, so a single key moves at most one record per PutRecords
/// round trip, whatever the concurrency. Three cases, side by side in one run: the hot key
/// with the target shard's limit lifted (what the invariant alone allows), the same records over 1000 keys (the
/// control: what the engine does when order costs nothing), and the hot key under AWS's 1000 records/s per shard
/// (what production would see: one key always lands on one target shard); then the hot key again with KPL aggregation
/// (<c>Bridge:Target:Aggregation = Kpl</c>), where the key's one in-flight entry is an aggregate of up to 50 KiB of its
/// records instead of one record. The source's backlog is deep, so every page
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
            ["case", "keys", "target shard limit", "records/s", "vs 1000 keys", "PutRecords/s", "records/request", "order violations"]);

        // A smoke window is short enough for a busy machine to let a slow case through with nothing: measured again over
        // a longer one before the run calls it broken.
        async Task<(double RecordsPerSecond, double RequestsPerSecond, long Violations)> MeasureAsync(int keys, bool limited, bool aggregate)
        {
            var result = await RunCaseAsync(keys, limited, aggregate, window);
            if (smoke && result.RecordsPerSecond == 0)
            {
                Console.WriteLine($"(keys {keys}, limit {limited}, aggregation {aggregate}: nothing forwarded in {window.TotalSeconds:F1} s; measured again over 10 s)");
                result = await RunCaseAsync(keys, limited, aggregate, TimeSpan.FromSeconds(10));
            }

            return result;
        }
        var control = await MeasureAsync(keys: 1000, limited: false, aggregate: false);
        var cases = new[]
        {
            ("1000 keys (control)", 1000, false, control),
            ("hot key", 1, false, await MeasureAsync(keys: 1, limited: false, aggregate: false)),
            ("hot key, AWS limit", 1, true, await MeasureAsync(keys: 1, limited: true, aggregate: false)),
            ("hot key, KPL aggregation", 1, false, await MeasureAsync(keys: 1, limited: false, aggregate: true)),
            ("hot key, KPL aggregation, AWS limit", 1, true, await MeasureAsync(keys: 1, limited: true, aggregate: true)),
        };
        foreach (var (name, keys, limited, result) in cases)
        {
            table.Add(name, keys.ToString(), limited ? "1000 rec/s, 1 MiB/s" : "none", result.RecordsPerSecond.ToString("N0"),
                (result.RecordsPerSecond / control.RecordsPerSecond).ToString("P2"), result.RequestsPerSecond.ToString("F1"),
                (result.RecordsPerSecond / Math.Max(0.001, result.RequestsPerSecond)).ToString("F0"), result.Violations.ToString());
        }

        table.Print();
        var ok = cases.All(c => c.Item4.Violations == 0 && c.Item4.RecordsPerSecond > 0);
        Console.WriteLine(ok ? "Per-key order held in every case." : "FAILED: per-key order was violated or nothing was forwarded.");
        return ok ? 0 : 1;
    }

    private static async Task<(double RecordsPerSecond, double RequestsPerSecond, long Violations)> RunCaseAsync(int keys, bool limited, bool aggregate, TimeSpan window)
    {
        var time = TimeProvider.System;
        var order = new OrderCheck();
        var stream = new SimulatedStream(1, 0, 1024, time, backlog: 10_000_000, keys: keys);
        var kinesis = limited
            ? new SimulatedKinesis(ScaleCommand.TargetShards, time) { OnAccepted = order.Accept }
            : new SimulatedKinesis(ScaleCommand.TargetShards, time, double.PositiveInfinity, double.PositiveInfinity) { OnAccepted = order.Accept };
        var options = InProcessBridge.DefaultOptions();
        options.Target.Aggregation = aggregate ? RecordAggregation.Kpl : RecordAggregation.None;
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

    /// <summary>Checks that each key's accepted records (an aggregate's in turn) carry increasing sequence numbers (all 21 digits: compared as text).</summary>
    private sealed class OrderCheck
    {
        private readonly Dictionary<string, byte[]> _last = [];

        public long Violations { get; private set; }

        /// <summary>Called under the simulated Kinesis stream's lock, so no lock of its own.</summary>
        public void Accept(PutRecordsEntry entry)
        {
            if (KplDeaggregator.IsAggregate(entry.Data.Head.Span))
            {
                foreach (var (key, data) in KplDeaggregator.Deaggregate(entry.PartitionKey, entry.Data.Head.ToArray()))
                {
                    Accept(key, data);
                }
            }
            else
            {
                Accept(entry.PartitionKey, entry.Data.Head.Span); // the record as it came, sequence number included
            }
        }

        private void Accept(string partitionKey, ReadOnlySpan<byte> data)
        {
            var at = data.IndexOf("\"SequenceNumber\":\""u8) + "\"SequenceNumber\":\"".Length;
            var sequence = data.Slice(at, 21);
            if (_last.TryGetValue(partitionKey, out var previous))
            {
                if (sequence.SequenceCompareTo(previous) <= 0)
                {
                    Violations++;
                }

                sequence.CopyTo(previous);
            }
            else
            {
                _last[partitionKey] = sequence.ToArray();
            }
        }
    }
}
