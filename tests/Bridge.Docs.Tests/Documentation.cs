using Bridge.Docs.Tests.Markdown;

namespace Bridge.Docs.Tests;

/// <summary>The repository's documentation pages, read once per test run from the working tree.</summary>
internal static class Documentation
{
    public const string ConfigurationPage = "docs/configuration.md";
    public const string OperatingPage = "docs/operating.md";
    public const string DeployPage = "docs/deploy.md";

    /// <summary>The repository root: the directory above the test binaries that holds <c>Bridge.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>README.md, BENCHMARKS.md and every page under docs/.</summary>
    public static IReadOnlyList<MarkdownPage> Pages { get; } = LoadPages();

    public static MarkdownPage Page(string path) =>
        Pages.SingleOrDefault(p => p.Path == path) ?? throw new FileNotFoundException($"{path} is missing: the docs tests read it.", path);

    /// <summary>The text of a file of the repository, by its path from the root.</summary>
    public static string Source(string path) => File.ReadAllText(Path.Combine(Root, path));

    private static List<MarkdownPage> LoadPages()
    {
        var paths = new[] { "README.md", "BENCHMARKS.md" }
            .Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal))
            .Where(p => File.Exists(Path.Combine(Root, p)));
        return paths.Select(p => MarkdownPage.Load(Root, p)).ToList();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bridge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Bridge.sln not found above the test binaries");
    }
}
