using System.Text;
using System.Text.RegularExpressions;

namespace Bridge.Docs.Tests.Markdown;

/// <summary>One fenced code block: its language tag (empty when none) and its lines, numbered as in the file.</summary>
internal sealed record CodeBlock(string Language, IReadOnlyList<SourceLine> Lines);

/// <summary>A line of a page with its 1-based line number, for failure messages that point at it.</summary>
internal readonly record struct SourceLine(int Number, string Text);

/// <summary>One row of a Markdown table, its cells trimmed (a <c>|</c> inside a code span does not split a cell).</summary>
internal sealed record TableRow(int Line, IReadOnlyList<string> Cells);

/// <summary>A Markdown table under the nearest heading above it.</summary>
internal sealed record MarkdownTable(string Heading, IReadOnlyList<string> Header, IReadOnlyList<TableRow> Rows)
{
    /// <summary>The index of the first header cell that starts with <paramref name="title"/>, or -1.</summary>
    public int Column(string title)
    {
        for (var i = 0; i < Header.Count; i++)
        {
            if (Header[i].StartsWith(title, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// The parts of a documentation page the docs tests read: headings (as GitHub anchors), tables, fenced code blocks,
/// links and the prose outside code blocks. Only the Markdown this repository writes is supported: fences of three
/// backticks, pipe tables with a separator row, inline links.
/// </summary>
internal sealed partial class MarkdownPage
{
    private MarkdownPage(string path, IReadOnlyList<string> lines)
    {
        Path = path;
        var tables = new List<MarkdownTable>();
        var blocks = new List<CodeBlock>();
        var prose = new List<SourceLine>();
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var heading = "";
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                var language = line.Trim()[3..].Trim();
                var body = new List<SourceLine>();
                for (i++; i < lines.Count && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
                {
                    body.Add(new SourceLine(i + 1, lines[i]));
                }

                blocks.Add(new CodeBlock(language, body));
                continue;
            }

            prose.Add(new SourceLine(i + 1, line));
            if (HeadingPattern().Match(line) is { Success: true } match)
            {
                heading = match.Groups[1].Value.Trim();
                AddAnchor(anchors, heading);
                continue;
            }

            if (line.StartsWith('|') && i + 1 < lines.Count && SeparatorPattern().IsMatch(lines[i + 1]))
            {
                var header = SplitRow(line);
                var rows = new List<TableRow>();
                for (i += 2; i < lines.Count && lines[i].StartsWith('|'); i++)
                {
                    prose.Add(new SourceLine(i + 1, lines[i]));
                    rows.Add(new TableRow(i + 1, SplitRow(lines[i])));
                }

                i--;
                tables.Add(new MarkdownTable(heading, header, rows));
            }
        }

        Tables = tables;
        CodeBlocks = blocks;
        Prose = prose;
        Anchors = anchors;
    }

    /// <summary>The path from the repository root, with forward slashes (<c>docs/configuration.md</c>).</summary>
    public string Path { get; }

    public IReadOnlyList<MarkdownTable> Tables { get; }

    public IReadOnlyList<CodeBlock> CodeBlocks { get; }

    /// <summary>Every line outside fenced code blocks (tables included).</summary>
    public IReadOnlyList<SourceLine> Prose { get; }

    /// <summary>The anchors GitHub gives this page's headings.</summary>
    public IReadOnlySet<string> Anchors { get; }

    /// <summary>Inline links <c>[text](target)</c> in the prose, code spans excluded.</summary>
    public IEnumerable<(int Line, string Target)> Links =>
        Prose.SelectMany(line => LinkPattern().Matches(CodeSpanPattern().Replace(line.Text, "")).Select(m => (line.Number, m.Groups[1].Value)));

    public static MarkdownPage Load(string root, string path) =>
        new(path, File.ReadAllLines(System.IO.Path.Combine(root, path)));

    /// <summary>The code spans of a cell or a line, in order.</summary>
    public static IEnumerable<string> CodeSpans(string text) => CodeSpanPattern().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>The content of a cell that is exactly one code span (<c>`Bridge:Target:StreamName`</c>), else null.</summary>
    public static string? SingleCodeSpan(string cell) =>
        CodeSpanPattern().Match(cell) is { Success: true } match && match.Length == cell.Length ? match.Groups[1].Value : null;

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.</summary>
    public static string Anchor(string heading)
    {
        var text = new StringBuilder();
        foreach (var c in heading.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                text.Append(c);
            }
            else if (c == ' ')
            {
                text.Append('-');
            }
        }

        return text.ToString();
    }

    private static void AddAnchor(HashSet<string> anchors, string heading)
    {
        var anchor = Anchor(heading);
        var unique = anchor;
        for (var n = 1; !anchors.Add(unique); n++)
        {
            unique = $"{anchor}-{n}";
        }
    }

    private static List<string> SplitRow(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var inCode = false;
        foreach (var c in line.Trim().Trim('|'))
        {
            if (c == '`')
            {
                inCode = !inCode;
            }

            if (c == '|' && !inCode)
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString().Trim());
        return cells;
    }

    [GeneratedRegex(@"^#{1,6}\s+(.+)$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"^\|(\s*:?-{3,}:?\s*\|)+\s*$")]
    private static partial Regex SeparatorPattern();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex CodeSpanPattern();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex LinkPattern();
}
