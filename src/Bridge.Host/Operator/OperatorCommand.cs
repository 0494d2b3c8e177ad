using System.CommandLine;
using System.Text.RegularExpressions;
using Bridge.Host.Operator.Plan;
using Bridge.Host.Operator.Status;

namespace Bridge.Host.Operator;

/// <summary><c>Bridge.Host plan …</c> and <c>Bridge.Host status …</c>: the operator's commands, run instead of the
/// worker when the first argument names one.</summary>
internal static partial class OperatorCommand
{
    /// <summary>128 + SIGINT, as a shell reports a command stopped by Ctrl+C.</summary>
    public const int CancelledExitCode = 130;

    private static readonly string[] Names = ["plan", "status"];

    public static bool IsRequested(string[] args) => args.Length > 0 && Names.Contains(args[0], StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("DynamoDB Streams → Kinesis bridge: operator commands.") { PlanCommand.Create(), StatusCommand.Create() };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync($"{args[0]}: {Plainly(parse.Errors[0].Message)} (see {args[0]} --help)").ConfigureAwait(false);
            return OperatorFailure.BadInput;
        }

        return await parse.InvokeAsync().ConfigureAwait(false);
    }

    /// <summary>A parse error without the CLR type names System.CommandLine puts in it (<c>System.Nullable`1[System.Double]</c>).</summary>
    private static string Plainly(string message) =>
        UnparsableValue().Replace(message, "'$1' is not a valid value for $2.");

    [GeneratedRegex(@"Cannot parse argument '(.*)' for option '(.*)' as expected type '.*'\.?")]
    private static partial Regex UnparsableValue();

    /// <summary>Runs a command's body; a failure it can name becomes one line on stderr and its exit code.</summary>
    public static async Task<int> GuardAsync(string command, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C before the answer (a sample cut short): nothing was printed, so not a success.
            await Console.Error.WriteLineAsync($"{command}: cancelled.").ConfigureAwait(false);
            return CancelledExitCode;
        }
        catch (Exception e) when (OperatorFailure.From(e) is { } failure)
        {
            await Console.Error.WriteLineAsync($"{command}: {failure.Message}").ConfigureAwait(false);
            return failure.ExitCode;
        }
    }
}
