namespace Bridge.Docs.Tests;

/// <summary>Every relative link of the README and the docs points at a file that exists, and at a heading that exists.</summary>
public sealed class LinkTests
{
    [Fact]
    public void Every_relative_link_resolves()
    {
        var problems = new Problems();
        var links = 0;
        foreach (var page in Documentation.Pages)
        {
            foreach (var (line, target) in page.Links.Where(l => !l.Target.Contains("://", StringComparison.Ordinal) && !l.Target.StartsWith("mailto:", StringComparison.Ordinal)))
            {
                links++;
                var hash = target.IndexOf('#', StringComparison.Ordinal);
                var path = hash < 0 ? target : target[..hash];
                var anchor = hash < 0 ? null : target[(hash + 1)..];
                var resolved = path.Length == 0
                    ? page.Path
                    : Path.GetRelativePath(Documentation.Root, Path.GetFullPath(Path.Combine(Documentation.Root, Path.GetDirectoryName(page.Path) ?? "", path))).Replace('\\', '/');
                if (!File.Exists(Path.Combine(Documentation.Root, resolved)) && !Directory.Exists(Path.Combine(Documentation.Root, resolved)))
                {
                    problems.Add($"{page.Path} line {line}: the link ({target}) points at {resolved}, which does not exist.");
                }
                else if (anchor is not null && Documentation.Pages.SingleOrDefault(p => p.Path == resolved) is { } linked && !linked.Anchors.Contains(anchor))
                {
                    problems.Add($"{page.Path} line {line}: {resolved} has no heading with the anchor #{anchor} (its anchors: {string.Join(", ", linked.Anchors)}).");
                }
            }
        }

        Assert.True(links > 20, $"only {links} relative links found: is the parser still reading them?");
        problems.AssertNone("links do not resolve");
    }
}
