using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Bridge.Testing;

/// <summary>The real bridge host (<c>Bridge.Host.dll</c>) as a child process, configured through environment variables.</summary>
public sealed class BridgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BridgeProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the host built next to these binaries (same configuration), with <paramref name="settings"/> as environment variables.</summary>
    public static BridgeProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(HostAssembly());
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        return new BridgeProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the bridge host."));
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

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    /// <summary><c>src/Bridge.Host/bin/{Debug|Release}/net10.0/Bridge.Host.dll</c>, the configuration these binaries were built in.</summary>
    public static string HostAssembly()
    {
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
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SA1300, CA5392
    private static extern int kill(int pid, int signal);
#pragma warning restore SA1300, CA5392
}
