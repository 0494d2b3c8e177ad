using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bridge.IntegrationTests.Observability;

/// <summary>The real <c>Bridge.Host</c> process, configured through environment variables as ECS configures it, with
/// its stdout (JSON logs and EMF lines) captured line by line.</summary>
internal sealed class BridgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private BridgeProcess(Process process, IReadOnlyDictionary<string, string> environment)
    {
        _process = process;
        Environment = environment;
    }

    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Every stdout and stderr line so far.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "Bridge.Host.dll");

    public static BridgeProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var start = Command(environment, []);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var bridge = new BridgeProcess(process, environment);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { bridge._lines.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { bridge._lines.Enqueue("stderr: " + e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return bridge;
    }

    /// <summary>Runs <c>Bridge.Host --health-check</c> with the same environment, as the ECS health check does.</summary>
    public async Task<int> RunHealthCheckAsync()
    {
        using var check = Process.Start(Command(Environment, ["--health-check"])) ?? throw new InvalidOperationException("Could not start the health check.");
        await check.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return check.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the process to exit by itself (at most 60 s) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public string Output => string.Join('\n', _lines);

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>SIGTERM, as ECS stops a task, then waits for the drain; kills it if it does not exit in time.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])))
            {
                await term!.WaitForExitAsync();
            }

            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private static ProcessStartInfo Command(IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(HostDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }
}
