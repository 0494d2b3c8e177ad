namespace Bridge.Docs.Tests;

/// <summary>Collects every mismatch a test finds, so one run lists all of them (each saying what to change where).</summary>
internal sealed class Problems
{
    private readonly List<string> _items = [];

    public void Add(string problem) => _items.Add(problem);

    /// <summary>Fails with every problem on its own line, or passes when there is none.</summary>
    public void AssertNone(string what)
    {
        if (_items.Count > 0)
        {
            Assert.Fail($"{_items.Count} {what}:{Environment.NewLine}" + string.Join(Environment.NewLine, _items.Select(p => "  - " + p)));
        }
    }
}
