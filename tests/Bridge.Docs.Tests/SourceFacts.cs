using System.Reflection;
using System.Text.RegularExpressions;

namespace Bridge.Docs.Tests;

/// <summary>
/// Names the docs must match that live in code which a test cannot call: the CDK app's context keys (read through
/// jsii's Node), the options the local run and the benchmarks parse, the CDK's metric-name constants. They are read
/// from the source files, with patterns as narrow as the code they read.
/// </summary>
internal static partial class SourceFacts
{
    public const string CdkAppFolder = "cdk/Bridge.Cdk.App";
    public const string LocalRunProgram = "tests/Bridge.LocalRun/Program.cs";
    public const string BenchmarksProgram = "tests/Bridge.Benchmarks/Program.cs";
    public const string CdkMetricNamesFile = "cdk/Bridge.Cdk/BridgeMetricNames.cs";

    /// <summary>The worker process's assembly; its types are internal, so they are read by reflection.</summary>
    public static Assembly HostAssembly { get; } = Assembly.Load("Bridge.Host");

    /// <summary>Every <c>-c key=value</c> the CDK app reads (<c>context.Int("workerCount", …)</c> and the like).</summary>
    public static IReadOnlySet<string> CdkContextKeys { get; } =
        Directory.GetFiles(Path.Combine(Documentation.Root, CdkAppFolder), "*.cs")
            .SelectMany(file => CdkContextRead().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The options of <c>tests/run-local.sh</c> (passed on to Bridge.LocalRun), and whether each takes a number.</summary>
    public static IReadOnlyDictionary<string, bool> LocalRunOptions { get; } =
        LocalRunOption().Matches(Documentation.Source(LocalRunProgram))
            .ToDictionary(m => m.Groups[2].Value, m => m.Groups[1].Value == "Option", StringComparer.Ordinal);

    /// <summary>The benchmark commands (<c>micro</c>, <c>e2e</c>, …) of Bridge.Benchmarks.</summary>
    public static IReadOnlySet<string> BenchmarkCommands { get; } =
        BenchmarkCommand().Matches(Documentation.Source(BenchmarksProgram)).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>The options Bridge.Benchmarks reads (<c>--rooms</c>, <c>--smoke</c>).</summary>
    public static IReadOnlySet<string> BenchmarkOptions { get; } =
        QuotedOption().Matches(Documentation.Source(BenchmarksProgram)).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>The metric names of <c>cdk/Bridge.Cdk/BridgeMetricNames.cs</c>, without its namespace and dimension.</summary>
    public static IReadOnlySet<string> CdkMetricNames { get; } =
        StringConstant().Matches(Documentation.Source(CdkMetricNamesFile))
            .Where(m => m.Groups[1].Value is not ("Namespace" or "ServiceDimension"))
            .Select(m => m.Groups[2].Value)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The command-line arguments Bridge.Host understands besides configuration: its <c>const string</c>
    /// fields whose value starts with <c>--</c> (such as <c>HealthCheckCommand.Argument</c>).</summary>
    public static IReadOnlySet<string> HostArguments { get; } =
        HostAssembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && ((string)f.GetRawConstantValue()!).StartsWith("--", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Commands of Bridge.Host given as its first argument (<c>backfill</c>): its const strings named <c>Verb</c>.</summary>
    public static IReadOnlySet<string> HostVerbs { get; } =
        HostAssembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name == "Verb")
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"context\.[A-Za-z]+\(\s*""([A-Za-z0-9]+)""")]
    private static partial Regex CdkContextRead();

    [GeneratedRegex(@"\b(Option|TextOption)\(""(--[a-z0-9-]+)""")]
    private static partial Regex LocalRunOption();

    [GeneratedRegex(@"^\s*""([a-z0-9-]+)""\s*=>", RegexOptions.Multiline)]
    private static partial Regex BenchmarkCommand();

    [GeneratedRegex(@"""(--[a-z0-9-]+)""")]
    private static partial Regex QuotedOption();

    [GeneratedRegex(@"public const string (\w+) = ""([^""]+)"";")]
    private static partial Regex StringConstant();
}
