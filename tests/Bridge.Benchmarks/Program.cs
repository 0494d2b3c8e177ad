using Bridge.Benchmarks;
using Bridge.Benchmarks.Backfill;
using Bridge.Benchmarks.Checkpointing;
using Bridge.Benchmarks.EndToEnd;
using Bridge.Benchmarks.Micro;
using Bridge.Benchmarks.Simulation;

// dotnet run -c Release --project tests/Bridge.Benchmarks -- <micro|shaping|filter-e2e|e2e|merge|hotkey|scale|checkpoint-cost|backfill|floor-memory|smoke> [--smoke] [--rooms N (e2e)] [--items N (backfill)] [--merge (scale)]
// Every command prints Markdown tables, exits by itself, and returns non-zero when a run fails.
var command = args.FirstOrDefault() ?? "help";
var smoke = args.Contains("--smoke");
Console.WriteLine($"# {command}{(smoke ? " (smoke)" : "")} on {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {DateTimeOffset.UtcNow:u}");
return command switch
{
    "micro" => MicroCommand.Run(smoke),
    "shaping" => ShapingCommand.Run(smoke),
    "filter-e2e" => await FilterEndToEndCommand.RunAsync(smoke),
    "e2e" => await EndToEndCommand.RunAsync(smoke, Option("--rooms") ?? 100),
    "merge" => await MergeCommand.RunAsync(smoke),
    "hotkey" => await HotKeyCommand.RunAsync(smoke),
    "scale" => await ScaleCommand.RunAsync(smoke, args.Contains("--merge")),
    "checkpoint-cost" => await CheckpointCostCommand.RunAsync(smoke),
    "smoke" => await SmokeCommand.RunAsync(),
    "backfill" => await BackfillBenchmarkCommand.RunAsync(smoke, Option("--items")),
    "floor-memory" => FloorMemoryCommand.Run(smoke),
    _ => Usage(),
};

int? Option(string name) =>
    Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : null;

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/Bridge.Benchmarks -- <micro|shaping|filter-e2e|e2e|merge|hotkey|scale|checkpoint-cost|backfill|floor-memory|smoke> [--smoke]");
    return 2;
}
