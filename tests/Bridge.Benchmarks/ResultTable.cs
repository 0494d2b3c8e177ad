namespace Bridge.Benchmarks;

/// <summary>A plain-text results table, printed as Markdown so docs/benchmarks.md can quote it as is.</summary>
internal sealed class ResultTable(string title, IReadOnlyList<string> columns)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Print()
    {
        var widths = columns.Select((c, i) => Math.Max(c.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        Console.WriteLine();
        Console.WriteLine($"### {title}");
        Console.WriteLine();
        Console.WriteLine(Line(columns));
        Console.WriteLine("| " + string.Join(" | ", widths.Select(w => new string('-', w))) + " |");
        foreach (var row in _rows)
        {
            Console.WriteLine(Line(row));
        }

        Console.WriteLine();
        string Line(IReadOnlyList<string> cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
    }
}
