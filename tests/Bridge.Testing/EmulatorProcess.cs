using System.Diagnostics;
using Amazon.Runtime;
using Bridge.Aws.Protocol;

namespace Bridge.Testing;

/// <summary>One running emulator on a loopback port; disposing it kills its whole process tree.</summary>
/// <remarks>
/// The emulator runs under a small shell watchdog in its own process group. The watchdog polls the test host's pid and
/// kills the group when the host is gone, so a crashed or killed test run leaves no emulator behind. Leftovers are
/// deliberately not hunted by name at start: other runs on the same machine may own processes with the same name.
/// </remarks>
public sealed class EmulatorProcess : IAsyncDisposable
{
    /// <summary>Keys the emulators accept; any non-empty pair works, and nothing here reads the environment.</summary>
    public static AWSCredentials Credentials { get; } = new BasicAWSCredentials("test", "test");

    public const string Region = "us-east-1";

    // $1 parent pid, $2 log file, rest: the emulator command. Runs as the leader of a fresh process group (setsid).
    private const string Watchdog =
        """
        parent="$1"; log="$2"; shift 2
        "$@" >"$log" 2>&1 </dev/null &
        child=$!
        while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done
        kill -KILL 0
        """;

    private readonly Process _process;
    private readonly string _logPath;

    private EmulatorProcess(string name, Process process, Uri endpoint, string logPath)
    {
        Name = name;
        _process = process;
        Endpoint = endpoint;
        _logPath = logPath;
    }

    public string Name { get; }

    /// <summary><c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Options that send every service to this emulator, with a small attempt budget so failures show fast.</summary>
    public AwsClientOptions CreateClientOptions() => new()
    {
        Region = Region,
        ServiceUrl = Endpoint,
        MaxAttempts = 3,
        AttemptTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A factory aimed at this emulator with the fake credentials; pass a handler to inject faults.</summary>
    public AwsClientFactory CreateClientFactory(AwsClientOptions? options = null, HttpMessageHandler? handler = null, TimeProvider? timeProvider = null, Func<double>? jitter = null) =>
        new(options ?? CreateClientOptions(), Credentials, handler, timeProvider, loggerFactory: null, jitter);

    /// <summary>Freezes the emulator (SIGSTOP to its process group): it keeps its sockets and data but answers nothing,
    /// like a service that stopped responding. <see cref="ThawAsync"/> lets it go on where it was.</summary>
    /// <remarks>A frozen in-memory DynamoDB Local keeps its tables and stream ARNs, which a restart would lose.</remarks>
    public Task FreezeAsync() => SignalGroupAsync("STOP");

    public Task ThawAsync() => SignalGroupAsync("CONT");

    private async Task SignalGroupAsync(string signal)
    {
        // setsid made the watchdog the leader of a fresh group, so its pid is the group id.
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, "--", "-" + _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill.");
        await kill.WaitForExitAsync().ConfigureAwait(false);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} of {Name} failed with exit code {kill.ExitCode}.");
        }
    }

    /// <summary>CPU time used so far by the processes of the emulator's group (Linux only): what it costs a benchmark
    /// on the machine's shared cores.</summary>
    public TimeSpan ProcessorTime()
    {
        var total = TimeSpan.Zero;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), System.Globalization.CultureInfo.InvariantCulture, out var pid) || GroupOf(directory) != _process.Id)
            {
                continue;
            }

            try
            {
                using var member = Process.GetProcessById(pid);
                total += member.TotalProcessorTime;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Exited since it was listed.
            }
        }

        return total;

        static int? GroupOf(string directory)
        {
            try
            {
                // The fields after the command's closing parenthesis: state, ppid, pgrp, …
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    /// <summary>What the emulator printed so far; for failure messages.</summary>
    public string ReadLog() => File.Exists(_logPath) ? File.ReadAllText(_logPath) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        File.Delete(_logPath);
    }

    internal static async Task<EmulatorProcess> StartAsync(
        string name, int port, string fileName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
        TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        var logPath = Path.Combine(Path.GetTempPath(), $"bridge-{name}-{port}.log");
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var argument in (string[])["bash", "-c", Watchdog, "watchdog", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), logPath, fileName, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        var emulator = new EmulatorProcess(name, process, new Uri($"http://127.0.0.1:{port}/"), logPath);
        try
        {
            await emulator.WaitUntilAnsweringAsync(port, startTimeout, cancellationToken).ConfigureAwait(false);
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Ready means an HTTP answer, any answer: a listening socket alone is not enough for kinesis-mock.</summary>
    private async Task WaitUntilAnsweringAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            while (!await AnswersAsync(http, deadline.Token).ConfigureAwait(false))
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"{Name} exited during start-up (code {_process.ExitCode}): {ReadLog()}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} did not answer on port {port} within {timeout}: {ReadLog()}");
        }
    }

    private async Task<bool> AnswersAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsync(Endpoint, new StringContent("{}"), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Refused while the emulator boots, or one probe timed out: try again.
            return false;
        }
    }
}
