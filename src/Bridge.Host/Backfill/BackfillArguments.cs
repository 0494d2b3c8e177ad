using Bridge.Backfill;
using Bridge.Forwarding;

namespace Bridge.Host.Backfill;

/// <summary><c>backfill (--source N | --table NAME) [--run ID]</c>; every other argument is configuration, as for the worker.</summary>
/// <param name="Source">Index into <c>Bridge:Sources</c>, or null when chosen by table name.</param>
/// <param name="Table">The source's table name, or null when chosen by index.</param>
/// <param name="RunId">Names the backfill: running it again resumes it, or does nothing once it finished.</param>
/// <param name="Configuration">The remaining arguments, for the host's configuration.</param>
internal sealed record BackfillArguments(int? Source, string? Table, string RunId, string[] Configuration)
{
    public const string Verb = "backfill";

    public const string DefaultRunId = "backfill";

    public const string SourceOption = "--source";

    public const string TableOption = "--table";

    public const string RunOption = "--run";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Verb;

    /// <summary>Parses the arguments after the verb; null with <paramref name="problem"/> set when they are not usable.</summary>
    public static BackfillArguments? Parse(string[] args, out string? problem)
    {
        int? source = null;
        string? table = null;
        var runId = DefaultRunId;
        var rest = new List<string>();
        problem = null;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case SourceOption when int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index):
                    source = index;
                    i++;
                    break;
                case SourceOption:
                    problem = "--source needs the index of a source in Bridge:Sources (0, 1, …).";
                    return null;
                case TableOption when !string.IsNullOrWhiteSpace(value):
                    table = value;
                    i++;
                    break;
                case TableOption:
                    problem = "--table needs the name of a source table in Bridge:Sources.";
                    return null;
                case RunOption when BackfillRun.IsValidRunId(value):
                    runId = value!;
                    i++;
                    break;
                case RunOption:
                    problem = "--run needs a name of letters, digits, '.', '_' or '-' (at most 64).";
                    return null;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        if ((source is null) == (table is null))
        {
            problem = "backfill needs one of --source N or --table NAME.";
            return null;
        }

        return new BackfillArguments(source, table, runId, [.. rest]);
    }

    /// <summary>The configured source this backfill is for; null with <paramref name="problem"/> set when none matches.</summary>
    public int? FindSource(BridgeOptions options, out string? problem)
    {
        problem = null;
        if (Source is { } index)
        {
            if (index < options.Sources.Count)
            {
                return index;
            }

            problem = $"--source {index}: Bridge:Sources has {options.Sources.Count} sources.";
            return null;
        }

        var found = options.Sources.FindIndex(s => s.TableName == Table
            || (s.StreamArn is { Length: > 0 } arn && Bridge.Source.DynamoDbStreamArn.TryGetTableName(arn, out var name) && name == Table));
        if (found < 0)
        {
            problem = $"--table {Table}: no source in Bridge:Sources reads that table (its partition key and shaping come from there).";
            return null;
        }

        return found;
    }
}
