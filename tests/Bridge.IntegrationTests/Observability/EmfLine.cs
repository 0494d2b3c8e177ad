using System.Text.Json;
using System.Text.RegularExpressions;

using Bridge.Testing;

namespace Bridge.IntegrationTests.Observability;

/// <summary>Checks a stdout line against the CloudWatch Embedded Metric Format specification and reads its values.</summary>
internal static partial class EmfLine
{
    /// <summary>The units CloudWatch accepts (StandardUnit).</summary>
    private static readonly HashSet<string> Units =
    [
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits",
        "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
        "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
        "Terabits/Second", "Count/Second", "None",
    ];

    public static bool IsEmf(string line) => line.StartsWith("{\"_aws\":", StringComparison.Ordinal);

    /// <summary>Asserts the line is valid EMF with one directive; returns its metric values by name.</summary>
    public static Dictionary<string, double> Validate(string line, string expectedNamespace, string expectedService)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var aws = root.GetProperty("_aws");
        Assert.Equal(JsonValueKind.Number, aws.GetProperty("Timestamp").ValueKind);
        Assert.True(aws.GetProperty("Timestamp").GetInt64() > 1_600_000_000_000, "Timestamp is epoch milliseconds");
        var directive = Assert.Single(aws.GetProperty("CloudWatchMetrics").EnumerateArray());
        Assert.Equal(expectedNamespace, directive.GetProperty("Namespace").GetString());
        var dimensionSet = Assert.Single(directive.GetProperty("Dimensions").EnumerateArray());
        var dimensions = dimensionSet.EnumerateArray().Select(d => d.GetString()!).ToList();
        Assert.Equal(["ServiceName"], dimensions);
        Assert.Equal(expectedService, root.GetProperty("ServiceName").GetString());

        var metrics = directive.GetProperty("Metrics").EnumerateArray().ToList();
        Assert.InRange(metrics.Count, 1, 100);
        var values = new Dictionary<string, double>();
        foreach (var metric in metrics)
        {
            var name = metric.GetProperty("Name").GetString()!;
            Assert.Matches(MetricName(), name);
            Assert.Contains(metric.GetProperty("Unit").GetString()!, Units);
            Assert.True(root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number, $"EMF member {name} must hold a number");
            Assert.True(values.TryAdd(name, value.GetDouble()), $"metric {name} listed twice");
        }

        return values;
    }

    /// <summary>The metric names the CDK alarms and dashboard use, read from <c>cdk/Bridge.Cdk/BridgeMetricNames.cs</c>.</summary>
    public static IReadOnlyList<string> CdkMetricNames()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bridge.sln")))
        {
            dir = dir.Parent;
        }

        var source = File.ReadAllText(Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("Bridge.sln not found above the test binaries"), "cdk", "Bridge.Cdk", "BridgeMetricNames.cs"));
        return [.. ConstString().Matches(source).Select(m => (Name: m.Groups[1].Value, Value: m.Groups[2].Value))
            .Where(c => c.Name is not ("Namespace" or "ServiceDimension"))
            .Select(c => c.Value)];
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{0,254}$")]
    private static partial Regex MetricName();

    [GeneratedRegex("""public const string (\w+) = "([^"]+)";""")]
    private static partial Regex ConstString();
}
