using Bridge.Testing;
using System.Collections.Concurrent;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Benchmarks.Workload;
using Bridge.Coordination;
using Bridge.Forwarding;
using Bridge.Routing;
using Bridge.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Benchmarks;

/// <summary>The real <see cref="BridgeEngine"/>, built as the host builds it, over any stream and Kinesis client.</summary>
internal sealed class InProcessBridge : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    /// <param name="leases">Where leases and checkpoints go; in memory unless given.</param>
    public InProcessBridge(IDynamoDbStreamsClient streams, IKinesisClient kinesis, BridgeOptions options, string tableName = StreamRecordWorkload.TableName, string streamArn = StreamRecordWorkload.StreamArn, ILeaseStore? leases = null)
        : this(streams, kinesis, options, [new ResolvedSource(tableName, streamArn, new PartitionKeySelector(StreamRecordWorkload.KeyAttribute))], leases)
    {
    }

    public InProcessBridge(IDynamoDbStreamsClient streams, IKinesisClient kinesis, BridgeOptions options, IReadOnlyList<ResolvedSource> sources, ILeaseStore? leases = null)
    {
        var metrics = new BridgeMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TimeProvider.System);
        var engine = new BridgeEngine(
            options,
            sources,
            streams,
            kinesis,
            leases ?? new InMemoryLeaseStore(),
            TimeProvider.System,
            NullLoggerFactory.Instance,
            metrics);
        _run = Task.Run(() => engine.RunAsync(_stop.Token));
        Started = engine.Started;
    }

    /// <summary>Completes once every shard has started reading.</summary>
    public Task Started { get; }

    /// <summary>The production defaults, with a short drain so a benchmark step ends quickly.</summary>
    public static BridgeOptions DefaultOptions() => new()
    {
        Target = { StreamName = "target" },
        Checkpoints = { TableName = "checkpoints" },
        ShutdownTimeout = TimeSpan.FromSeconds(8),
    };

    /// <summary>Fails fast if the engine stopped by itself (a fault).</summary>
    public void ThrowIfFaulted()
    {
        if (_run.IsCompleted)
        {
            _run.GetAwaiter().GetResult();
            throw new InvalidOperationException("The engine stopped by itself.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        _stop.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
