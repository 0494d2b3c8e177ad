using System.Diagnostics;
using Bridge.Benchmarks.Backfill;
using Bridge.Benchmarks.Checkpointing;
using Bridge.Benchmarks.EndToEnd;
using Bridge.Benchmarks.Micro;
using Bridge.Benchmarks.Simulation;

namespace Bridge.Benchmarks;

/// <summary><c>smoke</c>: every benchmark at its smallest size, for CI, so none can rot; exits non-zero if any fails.</summary>
/// <remarks>The numbers it prints mean nothing (single iterations, windows of a second or two). The e2e part needs
/// <c>tests/node_modules</c> (<c>npm ci</c> in <c>tests/</c>), Java and Node, as the integration tests do.</remarks>
internal static class SmokeCommand
{
    public static async Task<int> RunAsync()
    {
        (string Name, Func<Task<int>> Run)[] parts =
        [
            ("micro", () => Task.FromResult(MicroCommand.Run(smoke: true))),
            ("shaping", () => Task.FromResult(ShapingCommand.Run(smoke: true))),
            ("filter-e2e", () => FilterEndToEndCommand.RunAsync(smoke: true)),
            ("hotkey", () => HotKeyCommand.RunAsync(smoke: true)),
            ("scale", () => ScaleCommand.RunAsync(smoke: true)),
            ("e2e", () => EndToEndCommand.RunAsync(smoke: true)),
            ("merge", () => MergeCommand.RunAsync(smoke: true)),
            ("checkpoint-cost", () => CheckpointCostCommand.RunAsync(smoke: true)),
            ("backfill", () => BackfillBenchmarkCommand.RunAsync(smoke: true)),
            ("floor-memory", () => Task.FromResult(FloorMemoryCommand.Run(smoke: true))),
        ];
        var failed = new List<string>();
        foreach (var (name, run) in parts)
        {
            var start = Stopwatch.GetTimestamp();
            int code;
            try
            {
                code = await run();
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"smoke {name}: {ex}");
                code = 1;
            }

            Console.WriteLine($"smoke {name}: {(code == 0 ? "ok" : "FAILED")} in {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s");
            if (code != 0)
            {
                failed.Add(name);
            }
        }

        // Not the "N passed, N failed" form: CI reads that line from the test command alone.
        Console.WriteLine($"benchmark smoke: {parts.Length - failed.Count} of {parts.Length} ran, {failed.Count} broke");
        return failed.Count == 0 ? 0 : 1;
    }
}
