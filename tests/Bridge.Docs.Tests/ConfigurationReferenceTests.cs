using System.Text.RegularExpressions;
using Bridge.Docs.Tests.Configuration;
using Bridge.Docs.Tests.Markdown;

namespace Bridge.Docs.Tests;

/// <summary>
/// docs/configuration.md against the options classes the host binds: every key in code has exactly one row there,
/// every row names a key in code, and each row's default is the code's. Keys are found by reflection, so a key added
/// to any options class later fails here until it is documented.
/// </summary>
public sealed partial class ConfigurationReferenceTests
{
    [Fact]
    public void Every_key_in_code_has_exactly_one_row_in_the_reference_and_every_row_a_key_in_code()
    {
        var problems = new Problems();
        var rows = KeyRows(Documentation.Page(Documentation.ConfigurationPage)).ToList();
        foreach (var key in ConfigurationKey.All)
        {
            var documented = rows.Where(r => r.Key == key.Path).ToList();
            if (documented.Count == 0)
            {
                problems.Add($"{Documentation.ConfigurationPage} has no row for `{key.Path}` (declared by {key.DeclaredBy}, default {key.DefaultLiteral}): add `| `{key.Path}` | {DefaultCell(key)} | <checked at start-up> | <meaning> |` to the table of its section.");
            }
            else if (documented.Count > 1)
            {
                problems.Add($"{Documentation.ConfigurationPage} documents `{key.Path}` {documented.Count} times (lines {string.Join(", ", documented.Select(r => r.Row.Line))}): keep one row.");
            }
        }

        foreach (var (key, row, _) in rows.Where(r => ConfigurationKey.All.All(k => k.Path != r.Key)))
        {
            problems.Add(ConfigurationKey.Find(key) is { } meant
                ? $"{Documentation.ConfigurationPage} line {row.Line}: write `{key}` as `{meant.Path}` (N for a list index, NAME for a dictionary key)."
                : $"{Documentation.ConfigurationPage} line {row.Line}: `{key}` is not declared by any options class bound under Bridge or Aws: remove the row, or fix its name.");
        }

        foreach (var page in Documentation.Pages.Where(p => p.Path != Documentation.ConfigurationPage))
        {
            foreach (var (key, row, _) in KeyRows(page))
            {
                problems.Add($"{page.Path} line {row.Line} has a reference row for `{key}`: keys are documented only in {Documentation.ConfigurationPage}; link to it instead.");
            }
        }

        problems.AssertNone("configuration keys differ between the options classes and " + Documentation.ConfigurationPage);
    }

    [Fact]
    public void Every_documented_default_is_the_default_in_code()
    {
        var problems = new Problems();
        foreach (var (path, row, table) in KeyRows(Documentation.Page(Documentation.ConfigurationPage)))
        {
            if (ConfigurationKey.All.FirstOrDefault(k => k.Path == path) is not { } key)
            {
                continue;
            }

            var column = table.Column("default");
            if (column < 0 || column >= row.Cells.Count)
            {
                problems.Add($"{Documentation.ConfigurationPage} line {row.Line}: the table of `{path}` has no \"default\" column.");
                continue;
            }

            var cell = row.Cells[column];
            if (!TryReadDefault(cell, out var literal))
            {
                problems.Add($"{Documentation.ConfigurationPage} line {row.Line}: the default of `{path}` must start with the value in backticks or with —, was \"{cell}\".");
            }
            else if (!key.HasDefault(literal))
            {
                problems.Add($"{Documentation.ConfigurationPage} line {row.Line}: `{path}` is documented with default {literal ?? "—"}, but {key.DeclaredBy} defaults to {key.DefaultLiteral}.");
            }
        }

        problems.AssertNone("documented defaults differ from the code");
    }

    [Fact]
    public void Every_configuration_key_named_anywhere_in_the_docs_exists()
    {
        var problems = new Problems();
        foreach (var page in Documentation.Pages)
        {
            foreach (var line in page.Prose)
            {
                foreach (Match match in ColonKeyPattern().Matches(line.Text))
                {
                    CheckNamedKey(problems, page, line, match.Value, match.Value);
                }

                foreach (Match match in EnvironmentKeyPattern().Matches(line.Text))
                {
                    CheckNamedKey(problems, page, line, match.Value, match.Value.Replace("__", ":", StringComparison.Ordinal));
                }
            }
        }

        problems.AssertNone("configuration keys named in the docs do not exist");
    }

    /// <summary>Rows of a page whose first cell is one code span naming a key under <c>Bridge:</c> or <c>Aws:</c>.</summary>
    internal static IEnumerable<(string Key, TableRow Row, MarkdownTable Table)> KeyRows(MarkdownPage page) =>
        from table in page.Tables
        from row in table.Rows
        let key = row.Cells.Count > 0 ? MarkdownPage.SingleCodeSpan(row.Cells[0]) : null
        where key is not null && IsKeyShaped(key)
        select (key, row, table);

    private static bool IsKeyShaped(string text) =>
        text.StartsWith("Bridge:", StringComparison.Ordinal) || text.StartsWith(ConfigurationKey.AwsSection + ":", StringComparison.Ordinal);

    private static void CheckNamedKey(Problems problems, MarkdownPage page, SourceLine line, string written, string key)
    {
        var section = key.EndsWith(":*", StringComparison.Ordinal) ? key[..^2] : null;
        var exists = section is not null ? ConfigurationKey.IsSection(section) : ConfigurationKey.Find(key) is not null || ConfigurationKey.IsSection(key);
        if (!exists)
        {
            problems.Add($"{page.Path} line {line.Number}: `{written}` names no configuration key or section (keys are listed in {Documentation.ConfigurationPage}).");
        }
    }

    private static string DefaultCell(ConfigurationKey key) => key.DefaultLiteral == "—" ? "—" : $"`{key.DefaultLiteral}`";

    /// <summary>A default cell is <c>`literal`</c> (optionally followed by words) or starts with —, meaning no value.</summary>
    private static bool TryReadDefault(string cell, out string? literal)
    {
        literal = null;
        if (cell.StartsWith('—'))
        {
            return true;
        }

        literal = MarkdownPage.CodeSpans(cell).FirstOrDefault();
        return literal is not null && cell.StartsWith('`');
    }

    [GeneratedRegex(@"\b(?:Bridge|Aws):[A-Za-z0-9*]+(?::[A-Za-z0-9*]+)*")]
    private static partial Regex ColonKeyPattern();

    [GeneratedRegex(@"\b(?:Bridge|Aws)__[A-Za-z0-9]+(?:__[A-Za-z0-9]+)*")]
    private static partial Regex EnvironmentKeyPattern();
}
