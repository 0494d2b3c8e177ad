using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bridge.Docs.Tests.Configuration;
using Bridge.Docs.Tests.Markdown;

namespace Bridge.Docs.Tests;

/// <summary>
/// The commands the docs show in shell code blocks are still accepted: the scripts and projects exist, the options
/// they pass are ones the program reads, the configuration they set binds with the host's own binder settings, and
/// the CDK parameters are ones the app reads. Configuration shown as JSON binds too.
/// </summary>
public sealed partial class DocumentedCommandsTests
{
    private static readonly HashSet<string> ShellLanguages = ["bash", "sh", "shell"];

    /// <summary>Programs outside the repository that the docs may show; only their place in a pipeline is read.</summary>
    private static readonly HashSet<string> OtherPrograms = ["curl", "grep", "aws", "docker", "git", "echo", "node"];

    [Fact]
    public void Every_command_in_a_shell_block_of_the_docs_is_accepted()
    {
        var problems = new Problems();
        var checkedCommands = 0;
        foreach (var page in Documentation.Pages)
        {
            foreach (var block in page.CodeBlocks.Where(b => ShellLanguages.Contains(b.Language)))
            {
                foreach (var command in ShellCommand.Parse(block.Lines))
                {
                    Check(new Where(problems, page, command), command);
                    checkedCommands++;
                }
            }
        }

        Assert.True(checkedCommands > 10, $"only {checkedCommands} commands found in the docs' shell blocks: is the parser still reading them?");
        problems.AssertNone("commands shown in the docs are not accepted");
    }

    [Fact]
    public void Every_json_configuration_in_the_docs_binds()
    {
        var problems = new Problems();
        foreach (var page in Documentation.Pages)
        {
            foreach (var block in page.CodeBlocks.Where(b => b.Language == "json"))
            {
                var text = string.Join('\n', block.Lines.Select(l => l.Text));
                if (!text.Contains("\"Bridge\"", StringComparison.Ordinal) && !text.Contains($"\"{ConfigurationKey.AwsSection}\"", StringComparison.Ordinal))
                {
                    // An example record (output-formats.md), not configuration; it may abbreviate with "…".
                    continue;
                }

                using var json = JsonDocument.Parse(text);
                if (json.RootElement.ValueKind != JsonValueKind.Object
                    || !json.RootElement.EnumerateObject().Any(p => p.Name is "Bridge" or ConfigurationKey.AwsSection))
                {
                    continue;
                }

                var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                Flatten(json.RootElement, "", settings);
                if (ConfigurationKey.BindingError(settings) is { } error)
                {
                    problems.Add($"{page.Path} line {block.Lines[0].Number}: the configuration shown does not bind: {error}");
                }
            }
        }

        problems.AssertNone("configurations shown in the docs do not bind");
    }

    /// <summary>Where a command was found, to say so in each problem.</summary>
    private sealed record Where(Problems Problems, MarkdownPage Page, ShellCommand Command)
    {
        public void Add(string problem) =>
            Problems.Add($"{Page.Path} line {Command.Line}: `{string.Join(' ', Command.Assignments.Select(a => $"{a.Key}={a.Value}").Concat(Command.Words))}`: {problem}");
    }

    private static void Check(Where where, ShellCommand command)
    {
        CheckEnvironment(where, command.Assignments);
        var args = command.Arguments.ToList();
        switch (command.Program)
        {
            case "":
                break;
            case "bash" or "sh":
                CheckScript(where, args.FirstOrDefault() ?? "", args.Skip(1).ToList(), throughShell: true);
                break;
            case "dotnet":
                CheckDotnet(where, command, args);
                break;
            case "npm" or "npx":
                CheckNode(where, command, args);
                break;
            case "cd":
                CheckExists(where, args.FirstOrDefault() ?? "", "directory");
                break;
            case var program when program.Contains('/', StringComparison.Ordinal):
                CheckScript(where, program, args, throughShell: false);
                break;
            case var program when OtherPrograms.Contains(program):
                break;
            case var program:
                where.Add($"'{program}' is neither a script or project of this repository nor a known outside program; if it is right, add it to {nameof(DocumentedCommandsTests)}.{nameof(OtherPrograms)} or give it a check.");
                break;
        }
    }

    private static void CheckEnvironment(Where where, IEnumerable<KeyValuePair<string, string>> assignments)
    {
        foreach (var (name, value) in assignments.Where(a => EnvironmentKey().IsMatch(a.Key)))
        {
            var key = name.Replace("__", ":", StringComparison.Ordinal);
            if (ConfigurationKey.BindingError([new(key, value)]) is { } error)
            {
                where.Add($"the host would refuse {name}={value}: {error}");
            }
        }
    }

    private static void CheckScript(Where where, string path, IReadOnlyList<string> args, bool throughShell)
    {
        if (!CheckExists(where, path, "file"))
        {
            return;
        }

        if (!throughShell && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(Path.Combine(Documentation.Root, path)) & UnixFileMode.UserExecute) == 0)
        {
            where.Add($"{path} is run directly but is not executable: chmod +x it, or show it as `bash {path}`.");
        }

        if (Path.GetFileName(path) == "run-local.sh")
        {
            CheckOptions(where, args, SourceFacts.LocalRunOptions, SourceFacts.LocalRunProgram);
        }
        else if (args.Count > 0 && Path.GetFileName(path) == "run-tests.sh")
        {
            where.Add("tests/run-tests.sh takes no arguments.");
        }
    }

    private static void CheckDotnet(Where where, ShellCommand command, List<string> args)
    {
        var verb = args.FirstOrDefault() ?? "";
        switch (verb)
        {
            case "run":
                var project = command.Option("--project");
                if (project is null)
                {
                    where.Add("`dotnet run` without --project: name the project, so the command runs from the repository root.");
                }
                else if (CheckExists(where, project, "project"))
                {
                    CheckProgramArguments(where, Path.GetFileName(project.TrimEnd('/')), command.AfterDoubleDash);
                }

                break;
            case "test" or "build":
                var target = args.Skip(1).FirstOrDefault(a => !a.StartsWith('-'));
                if (target is not null && CheckExists(where, target, "project"))
                {
                    CheckTestFilter(where, command.Option("--filter"), target);
                }

                break;
            case var dll when dll.EndsWith(".dll", StringComparison.Ordinal):
                CheckProgramArguments(where, Path.GetFileNameWithoutExtension(dll), args.Skip(1).ToList());
                break;
            default:
                where.Add($"`dotnet {verb}` is not checked by the docs tests: show `dotnet run --project`, `dotnet test`, `dotnet build` or `dotnet NAME.dll`, or add a check.");
                break;
        }
    }

    private static void CheckProgramArguments(Where where, string program, IReadOnlyList<string> args)
    {
        switch (program)
        {
            case "Bridge.Host":
                // A command (a const Verb, e.g. backfill) may come first; an option of the host's may take a value.
                for (var i = args.Count > 0 && SourceFacts.HostVerbs.Contains(args[0]) ? 1 : 0; i < args.Count; i++)
                {
                    CheckHostArgument(where, args[i]);
                    if (SourceFacts.HostArguments.Contains(args[i]) && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        i++;
                    }
                }

                break;
            case "Bridge.LocalRun":
                CheckOptions(where, args, SourceFacts.LocalRunOptions, SourceFacts.LocalRunProgram);
                break;
            case "Bridge.Benchmarks":
                if (args.Count == 0 || !SourceFacts.BenchmarkCommands.Contains(args[0]))
                {
                    where.Add($"the benchmark command must be one of {string.Join(", ", SourceFacts.BenchmarkCommands)} ({SourceFacts.BenchmarksProgram}).");
                }

                foreach (var option in args.Skip(1).Where(a => a.StartsWith("--", StringComparison.Ordinal) && !SourceFacts.BenchmarkOptions.Contains(a)))
                {
                    where.Add($"Bridge.Benchmarks reads no option {option} ({SourceFacts.BenchmarksProgram} reads {string.Join(", ", SourceFacts.BenchmarkOptions)}).");
                }

                break;
        }
    }

    private static void CheckHostArgument(Where where, string arg)
    {
        if (SourceFacts.HostArguments.Contains(arg))
        {
            return;
        }

        var setting = arg.TrimStart('-').Split('=', 2);
        if (arg.StartsWith("--", StringComparison.Ordinal) && setting.Length == 2 && (setting[0].StartsWith("Bridge:", StringComparison.Ordinal) || setting[0].StartsWith(ConfigurationKey.AwsSection + ":", StringComparison.Ordinal)))
        {
            if (ConfigurationKey.BindingError([new(setting[0], setting[1])]) is { } error)
            {
                where.Add($"the host would refuse {arg}: {error}");
            }

            return;
        }

        where.Add($"Bridge.Host does not read '{arg}': it takes {string.Join(", ", SourceFacts.HostArguments)} and configuration as --Bridge:KEY=VALUE (a new argument is found when Bridge.Host declares it as a const string starting with --).");
    }

    /// <summary>Options given as <c>--name value</c>: each must be read by the program, and a numeric one given a number.</summary>
    private static void CheckOptions(Where where, IReadOnlyList<string> args, IReadOnlyDictionary<string, bool> known, string source)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (!known.TryGetValue(args[i], out var numeric))
            {
                where.Add($"{source} reads no option '{args[i]}' (it reads {string.Join(", ", known.Keys)}, each followed by its value).");
                if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    i++;
                }

                continue;
            }

            if (i + 1 >= args.Count)
            {
                where.Add($"{args[i]} needs a value.");
            }
            else if (numeric && !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                where.Add($"{args[i]} takes a whole number, not '{args[i + 1]}'.");
            }

            i++;
        }
    }

    /// <summary><c>--filter "FullyQualifiedName~X"</c> must select something: a namespace, class or folder named X.</summary>
    private static void CheckTestFilter(Where where, string? filter, string project)
    {
        if (filter is null || FilterName().Match(filter) is not { Success: true } match)
        {
            return;
        }

        var name = match.Groups[1].Value;
        var folder = Path.Combine(Documentation.Root, project);
        var selects = Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Any(f => f.Contains(name, StringComparison.Ordinal) || Regex.IsMatch(File.ReadAllText(f), $@"\b(namespace|class)\s+[\w.]*{Regex.Escape(name)}"));
        if (!selects)
        {
            where.Add($"the filter FullyQualifiedName~{name} selects no test in {project}.");
        }
    }

    private static void CheckNode(Where where, ShellCommand command, List<string> args)
    {
        var prefix = command.Option("--prefix");
        if (prefix is not null && !File.Exists(Path.Combine(Documentation.Root, prefix, "package.json")))
        {
            where.Add($"{prefix}/package.json does not exist.");
        }

        if (command.Program != "npx")
        {
            return;
        }

        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] != "-c")
            {
                continue;
            }

            var key = args[i + 1].Split('=', 2)[0];
            if (!SourceFacts.CdkContextKeys.Contains(key))
            {
                where.Add($"the CDK app reads no context '{key}' (it reads {string.Join(", ", SourceFacts.CdkContextKeys.Order(StringComparer.Ordinal))}; see {SourceFacts.CdkAppFolder}).");
            }
        }
    }

    private static bool CheckExists(Where where, string path, string what)
    {
        var full = Path.Combine(Documentation.Root, path);
        var exists = what switch
        {
            "file" => File.Exists(full),
            "directory" => Directory.Exists(full),
            _ => File.Exists(full) || Directory.Exists(full),
        };
        if (!exists)
        {
            where.Add($"the {what} {path} does not exist (paths in the docs' commands are relative to the repository root).");
        }

        return exists;
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string?> settings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}:{property.Name}", settings);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{prefix}:{index++}", settings);
                }

                break;
            case JsonValueKind.Null:
                settings[prefix] = null;
                break;
            default:
                settings[prefix] = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
                break;
        }
    }

    [GeneratedRegex(@"^(Bridge|Aws)__")]
    private static partial Regex EnvironmentKey();

    [GeneratedRegex(@"FullyQualifiedName~([\w.]+)")]
    private static partial Regex FilterName();
}
