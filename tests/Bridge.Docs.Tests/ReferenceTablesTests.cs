using System.Collections;
using System.Diagnostics.Metrics;
using System.Reflection;
using Bridge.Docs.Tests.Markdown;
using Bridge.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bridge.Docs.Tests;

/// <summary>
/// Every metric, CloudWatch metric name, log event id, exit code and CDK parameter in code has exactly one row in
/// its reference table, and every row there names one that exists. Names come from the running code where a test can
/// reach it (the meter's instruments, the CloudWatch map, the [LoggerMessage] attributes, the exit-code constants)
/// and from the source otherwise (the CDK app's context keys, see <see cref="SourceFacts"/>).
/// </summary>
public sealed class ReferenceTablesTests
{
    [Fact]
    public void Every_instrument_of_the_meter_has_exactly_one_row_in_the_metrics_table()
    {
        var instruments = PublishedInstruments();
        Assert.NotEmpty(instruments);
        var problems = new Problems();
        var rows = FirstCellRows(Documentation.Pages, cell => cell.StartsWith("bridge.", StringComparison.Ordinal)).ToList();
        ExactlyOnce(problems, "instrument", instruments.Keys.ToHashSet(), rows, Documentation.OperatingPage,
            name => $"add a row `| `{name}` | {instruments[name]} | <Prometheus name> | <CloudWatch name> | <tags> | <meaning> | <suggested alarm> |` to its Metrics table");
        foreach (var table in Documentation.Page(Documentation.OperatingPage).Tables.Where(t => t.Column("unit") == 1))
        {
            foreach (var row in table.Rows.Where(r => r.Cells.Count > 1))
            {
                if (MarkdownPage.SingleCodeSpan(row.Cells[0]) is { } name && instruments.TryGetValue(name, out var unit) && row.Cells[1].Split(',')[0].Trim() != unit)
                {
                    problems.Add($"{Documentation.OperatingPage} line {row.Line}: the unit of {name} is {unit}, not \"{row.Cells[1]}\".");
                }
            }
        }
        problems.AssertNone($"metrics differ between {typeof(BridgeMetrics).FullName} and {Documentation.OperatingPage}");
    }

    [Fact]
    public void Every_CloudWatch_metric_name_is_in_exactly_one_row_of_the_metrics_table()
    {
        var mapped = CloudWatchNames();
        Assert.NotEmpty(mapped);
        var problems = new Problems();
        foreach (var name in SourceFacts.CdkMetricNames.Where(n => !mapped.Contains(n)))
        {
            problems.Add($"{SourceFacts.CdkMetricNamesFile} names {name}, which the worker never emits (CloudWatchMetricMap has no rule for it).");
        }

        var table = Documentation.Page(Documentation.OperatingPage).Tables.SingleOrDefault(t => t.Column("CloudWatch name") >= 0);
        if (table is null)
        {
            Assert.Fail($"{Documentation.OperatingPage} has no table with a \"CloudWatch name\" column.");
        }

        var column = table.Column("CloudWatch name");
        var cells = table.Rows.Where(r => r.Cells.Count > column)
            .SelectMany(r => MarkdownPage.CodeSpans(r.Cells[column]).Select(name => (name, r.Line)))
            .ToList();
        foreach (var name in mapped)
        {
            var lines = cells.Where(c => c.name == name).Select(c => c.Line).ToList();
            if (lines.Count != 1)
            {
                problems.Add(lines.Count == 0
                    ? $"{Documentation.OperatingPage}: CloudWatch metric `{name}` is in no row's \"CloudWatch name\" column: add it to the row of the instrument it comes from (CloudWatchMetricMap)."
                    : $"{Documentation.OperatingPage}: CloudWatch metric `{name}` is in {lines.Count} rows (lines {string.Join(", ", lines)}): keep it in one.");
            }
        }

        foreach (var (name, line) in cells.Where(c => !mapped.Contains(c.name)))
        {
            problems.Add($"{Documentation.OperatingPage} line {line}: `{name}` is not a CloudWatch metric the worker emits (CloudWatchMetricMap): remove or rename it.");
        }

        problems.AssertNone("CloudWatch metric names differ between the code and " + Documentation.OperatingPage);
    }

    [Fact]
    public void Every_log_event_id_has_exactly_one_row_in_the_logs_table()
    {
        var ids = LogEventIds();
        Assert.NotEmpty(ids);
        var problems = new Problems();
        var rows = (from page in Documentation.Pages
                    from table in page.Tables.Where(t => t.Header.Count > 0 && t.Header[0] == "EventId")
                    from row in table.Rows
                    select (Name: row.Cells[0], Page: page.Path, row.Line)).ToList();
        ExactlyOnce(problems, "log event id", ids.Keys.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(), rows, Documentation.OperatingPage,
            id => $"add a row `| {id} | {ids[int.Parse(id, System.Globalization.CultureInfo.InvariantCulture)]} | <event> |` to its Logs table");
        problems.AssertNone("log event ids differ between [LoggerMessage] and " + Documentation.OperatingPage);
    }

    [Fact]
    public void Every_exit_code_of_the_host_has_exactly_one_row_in_the_exit_codes_table()
    {
        // 0 is a requested, drained stop; every other code is a named constant (BridgeWorker.FatalErrorExitCode, …).
        var codes = SourceFacts.HostAssembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(int) && f.Name.EndsWith("ExitCode", StringComparison.Ordinal))
            .Select(f => ((int)f.GetRawConstantValue()!).ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append("0")
            .ToHashSet(StringComparer.Ordinal);
        var problems = new Problems();
        var rows = (from page in Documentation.Pages
                    from table in page.Tables.Where(t => t.Column("process") == 0 && t.Column("exit code") == 1)
                    from row in table.Rows.Where(r => r.Cells.Count > 1 && MarkdownPage.SingleCodeSpan(r.Cells[0]) == "Bridge.Host")
                    select (Name: row.Cells[1], Page: page.Path, row.Line)).ToList();
        ExactlyOnce(problems, "exit code of Bridge.Host", codes, rows, Documentation.OperatingPage,
            code => $"add a row `| `Bridge.Host` | {code} | <meaning> |` to its Exit codes table (codes other than 0 are the host's const int fields named *ExitCode)");
        problems.AssertNone("exit codes differ between Bridge.Host and " + Documentation.OperatingPage);
    }

    [Fact]
    public void Every_CDK_parameter_has_exactly_one_row_in_the_deploy_parameters_table()
    {
        var keys = SourceFacts.CdkContextKeys;
        Assert.NotEmpty(keys);
        var problems = new Problems();
        var rows = (from page in Documentation.Pages
                    from table in page.Tables.Where(t => t.Heading.StartsWith("Parameters", StringComparison.Ordinal))
                    from row in table.Rows
                    let key = MarkdownPage.SingleCodeSpan(row.Cells[0])
                    where key is not null
                    select (Name: key, Page: page.Path, row.Line)).ToList();
        ExactlyOnce(problems, "CDK parameter", keys, rows, Documentation.DeployPage,
            key => $"add a row `| `{key}` | <default> | <meaning> |` to its Parameters table");
        problems.AssertNone($"CDK parameters differ between {SourceFacts.CdkAppFolder} and {Documentation.DeployPage}");
    }

    /// <summary>Each name in code has exactly one row, on its home page; each row names something in code.</summary>
    private static void ExactlyOnce(Problems problems, string kind, IReadOnlySet<string> names, IReadOnlyList<(string Name, string Page, int Line)> rows, string home, Func<string, string> howToAdd)
    {
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            var found = rows.Where(r => r.Name == name).ToList();
            if (found.Count == 0)
            {
                problems.Add($"{home} does not document {kind} {name}: {howToAdd(name)}.");
            }
            else if (found.Count > 1)
            {
                problems.Add($"{kind} {name} is documented {found.Count} times ({string.Join(", ", found.Select(r => $"{r.Page} line {r.Line}"))}): keep the row in {home}.");
            }
            else if (found[0].Page != home)
            {
                problems.Add($"{kind} {name} is documented in {found[0].Page} line {found[0].Line}: move the row to {home}.");
            }
        }

        foreach (var row in rows.Where(r => !names.Contains(r.Name)))
        {
            problems.Add($"{row.Page} line {row.Line}: {kind} {row.Name} does not exist in code: remove the row or fix its name.");
        }
    }

    private static IEnumerable<(string Name, string Page, int Line)> FirstCellRows(IEnumerable<MarkdownPage> pages, Func<string, bool> shape) =>
        from page in pages
        from table in page.Tables
        from row in table.Rows
        let name = row.Cells.Count > 0 ? MarkdownPage.SingleCodeSpan(row.Cells[0]) : null
        where name is not null && shape(name)
        select (name, page.Path, row.Line);

    /// <summary>The instruments <see cref="BridgeMetrics"/> creates, with their units, as a listener sees them published.</summary>
    private static Dictionary<string, string?> PublishedInstruments()
    {
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == BridgeMetrics.MeterName)
            {
                names[instrument.Name] = instrument.Unit;
            }
        };
        listener.Start();
        _ = new BridgeMetrics(services.GetRequiredService<IMeterFactory>(), TimeProvider.System);
        return names;
    }

    /// <summary><c>CloudWatchMetricMap.Names</c> of the host (an internal type, so read by reflection).</summary>
    private static HashSet<string> CloudWatchNames()
    {
        const string typeName = "Bridge.Host.Telemetry.CloudWatchMetricMap";
        var names = SourceFacts.HostAssembly.GetType(typeName)?.GetProperty("Names", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as IEnumerable
            ?? throw new InvalidOperationException($"{typeName}.Names not found: the docs tests read the CloudWatch names from it; update {nameof(ReferenceTablesTests)}.");
        return names.Cast<string>().ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every [LoggerMessage] event id in the bridge's assemblies, with its level.</summary>
    private static Dictionary<int, LogLevel> LogEventIds()
    {
        var assemblies = new[] { typeof(BridgeMetrics).Assembly, typeof(Aws.Protocol.AwsClientOptions).Assembly, SourceFacts.HostAssembly };
        return assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .GroupBy(a => a.EventId)
            .ToDictionary(g => g.Key, g => g.First().Level);
    }
}
