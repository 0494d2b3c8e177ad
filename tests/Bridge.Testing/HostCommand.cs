using System.Diagnostics;
using System.Text;

namespace Bridge.Testing;

/// <summary>A one-shot command of the real host (<c>Bridge.Host plan …</c>, <c>Bridge.Host status …</c>) run as its own
/// process, as an operator runs it, with what it printed and its exit code.</summary>
public sealed record HostCommand(int ExitCode, string Output, string Error)
{
    /// <summary>Non-empty lines of stderr.</summary>
    public IReadOnlyList<string> ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Runs the host with <paramref name="arguments"/> and <paramref name="environment"/>, and waits for it (60 s unless told).</summary>
    public static async Task<HostCommand> RunAsync(IReadOnlyDictionary<string, string> environment, string[] arguments, TimeSpan? timeout = null)
    {
        using var process = Process.Start(BridgeProcess.Command(environment, arguments)) ?? throw new InvalidOperationException("Could not start the host.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', arguments)}' did not exit in time. Output so far:\n{await output.ConfigureAwait(false)}");
        }

        return new HostCommand(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    /// <summary>Runs the host under <c>script</c>, i.e. in a pseudo-terminal as an operator's shell would, until
    /// <paramref name="done"/> holds for what the terminal received so far or <paramref name="timeout"/> passes; then
    /// ends it and returns everything the terminal received (escape sequences included).</summary>
    public static async Task<string> RunInTerminalAsync(
        IReadOnlyDictionary<string, string> environment, string[] arguments, Func<string, bool> done, TimeSpan timeout, int columns = 200)
    {
        var host = BridgeProcess.Command(environment, arguments);
        var command = new StringBuilder($"stty cols {columns} rows 60; exec dotnet");
        foreach (var argument in host.ArgumentList)
        {
            command.Append(" '").Append(argument.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
        }

        var start = new ProcessStartInfo("script")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = host.WorkingDirectory,
        };
        foreach (var argument in new[] { "-qefc", command.ToString(), "/dev/null" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in host.Environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start script.");
        var screen = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (screen)
                {
                    screen.Append(buffer, 0, read);
                }
            }
        });
        var deadline = Stopwatch.StartNew();
        try
        {
            while (deadline.Elapsed < timeout && !process.HasExited)
            {
                lock (screen)
                {
                    if (done(screen.ToString()))
                    {
                        break;
                    }
                }

                await Task.Delay(200).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(false);
        }

        lock (screen)
        {
            return screen.ToString();
        }
    }
}
