using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Bridge.Testing;

/// <summary>The real bridge host (<c>Bridge.Host.dll</c>) as a child process, configured through environment variables
/// as ECS configures it, with its stdout and stderr (logs, EMF lines) captured line by line.</summary>
public sealed class BridgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private BridgeProcess(Process process, IReadOnlyDictionary<string, string> environment)
    {
        _process = process;
        Environment = environment;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data is null ? null : "stderr: " + e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Every stdout and stderr line so far.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output => string.Join('\n', _lines);

    /// <summary>Starts the host built with these binaries, with <paramref name="settings"/> as environment variables and
    /// <paramref name="arguments"/> on its command line (none: the worker; <c>backfill …</c>: the backfill command).</summary>
    public static BridgeProcess Start(IReadOnlyDictionary<string, string> settings, params string[] arguments) =>
        new(Process.Start(Command(settings, arguments)) ?? throw new InvalidOperationException("Could not start the bridge host."), settings);

    /// <summary>Runs <c>Bridge.Host --health-check</c> with the same environment, as the ECS health check does.</summary>
    public async Task<int> RunHealthCheckAsync()
    {
        using var check = Process.Start(Command(Environment, ["--health-check"])) ?? throw new InvalidOperationException("Could not start the health check.");
        await check.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return check.ExitCode;
    }

    /// <summary>A free loopback port, for the endpoints a test turns on.</summary>
    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>The environment that points the host at local emulators with fake credentials.</summary>
    public static Dictionary<string, string> EmulatorEnvironment(Uri dynamoDb, Uri kinesis) => new()
    {
        ["AWS_REGION"] = EmulatorProcess.Region,
        ["AWS_ACCESS_KEY_ID"] = "test",
        ["AWS_SECRET_ACCESS_KEY"] = "test",
        ["AWS_ENDPOINT_URL_DYNAMODB"] = dynamoDb.ToString(),
        ["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] = dynamoDb.ToString(),
        ["AWS_ENDPOINT_URL_KINESIS"] = kinesis.ToString(),
        ["AWS_EC2_METADATA_DISABLED"] = "true",

        // Several hosts run at once in tests: no fixed port for the health endpoint unless a test asks for one.
        ["Bridge__Health__Port"] = "0",
    };

    /// <summary>SIGTERM, as ECS and Ctrl+C send: the bridge drains, checkpoints and exits.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException("kill -TERM failed.");
        }
    }

    /// <summary>SIGSTOP: the process freezes mid-flight (a long GC pause, a partition), keeping its state.</summary>
    public void Pause() => Signal(19, "STOP");

    /// <summary>SIGCONT: a paused process resumes where it stopped, unaware of the time that passed.</summary>
    public void Resume() => Signal(18, "CONT");

    /// <summary>SIGKILL: no drain, no final checkpoint, as a crashed or OOM-killed process.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Waits for the process to exit by itself (60 s unless told) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then the exit code once the bridge drained and exited (40 s unless told: its drain budget is 20 s).</summary>
    public Task<int> StopAsync(TimeSpan? timeout = null)
    {
        Terminate();
        return WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(40));
    }

    /// <summary>SIGTERM, as ECS stops a task, then waits for the drain; kills it if it does not exit in time.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Terminate();
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
    }

    internal static ProcessStartInfo Command(IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        var host = HostAssembly();

        // The host's content root (appsettings.json) is its working directory, as in the container.
        start.WorkingDirectory = Path.GetDirectoryName(host);
        start.ArgumentList.Add(host);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }

    /// <summary>The host next to these binaries when a test project references it, else
    /// <c>src/Bridge.Host/bin/{Debug|Release}/net10.0/Bridge.Host.dll</c> of the configuration these binaries were built in.</summary>
    public static string HostAssembly()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "Bridge.Host.dll");
        if (File.Exists(beside))
        {
            return beside;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Bridge.sln")))
        {
            repo = repo.Parent;
        }

        var path = Path.Combine(repo?.FullName ?? throw new DirectoryNotFoundException("Bridge.sln not found above " + AppContext.BaseDirectory), "src", "Bridge.Host", "bin", configuration, "net10.0", "Bridge.Host.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build src/Bridge.Host first.", path);
    }

    private void Signal(int signal, string name)
    {
        if (!_process.HasExited && kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill -{name} failed.");
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SA1300, CA5392
    private static extern int kill(int pid, int signal);
#pragma warning restore SA1300, CA5392
}
