using Bridge.Testing;
using System.Text.Json;
using Bridge.Aws.Kinesis;
using Bridge.Forwarding;
using Bridge.Ordering;
using Bridge.Routing;
using Bridge.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Tests.Fakes;

/// <summary>The real engine over an in-memory stream, a flaky Kinesis and in-memory checkpoints, with test-sized timings.</summary>
internal sealed class EngineHarness : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public EngineHarness(InMemoryStream? stream = null, FlakyKinesis? kinesis = null)
    {
        Stream = stream ?? new InMemoryStream();
        Kinesis = kinesis ?? new FlakyKinesis();
        Metrics = new BridgeMetrics(MeterFactory, TimeProvider.System);
    }

    public InMemoryStream Stream { get; }

    public FlakyKinesis Kinesis { get; }

    public InMemoryLeaseStore Store { get; } = new();

    public BridgeMetrics Metrics { get; }

    public IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    public ILoggerFactory Loggers { get; set; } = FileTestLogger.FactoryFromEnvironment() ?? NullLoggerFactory.Instance;

    public BridgeOptions Options { get; } = FastOptions();

    public static BridgeOptions FastOptions()
    {
        var options = new BridgeOptions
        {
            Target = { StreamName = "target" },
            Checkpoints = { TableName = "checkpoints", Interval = TimeSpan.FromMilliseconds(10), EveryRecords = 20 },
            DiscoveryInterval = TimeSpan.FromMilliseconds(50),
            ShutdownTimeout = TimeSpan.FromSeconds(15),

            // One worker id across the harness's engines: a restarted engine takes its own leases back at once, as a
            // process restarted with the same id would (a crashed engine never released them).
            Leases = { Duration = TimeSpan.FromSeconds(3), RenewInterval = TimeSpan.FromMilliseconds(50), WorkerId = "harness" },
        };
        options.Reading.MinPollInterval = TimeSpan.FromMilliseconds(1);
        options.Reading.IdlePollInterval = TimeSpan.FromMilliseconds(2);
        options.Sink.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
        options.Sink.RetryMaxDelay = TimeSpan.FromMilliseconds(20);
        return options;
    }

    /// <summary>More sources beside <see cref="Stream"/> (Merge mode merges them); their shard ids must differ from its.</summary>
    public List<InMemoryStream> MoreStreams { get; } = [];

    /// <summary>Every source's <c>OrderBy</c> (Merge mode), or null for ApproximateCreationDateTime.</summary>
    public string? OrderBy { get; set; }

    public BridgeEngine CreateEngine() => new(
        Options,
        [.. new[] { Stream }.Concat(MoreStreams).Select(s => new ResolvedSource(s.TableName, s.StreamArn, new PartitionKeySelector("roomId"), OrderValueSelector.For(OrderBy)))],
        MoreStreams.Count == 0 ? Stream : new InMemoryStreams([Stream, .. MoreStreams]),
        Kinesis,
        Store,
        TimeProvider.System,
        Loggers,
        Metrics);

    /// <summary>Runs an engine until <paramref name="done"/> holds, then stops it gracefully (or, with <paramref name="crash"/>, as a dead process would).</summary>
    public async Task RunUntilAsync(Func<bool> done, bool crash = false, TimeSpan? timeout = null)
    {
        using var stop = new CancellationTokenSource();
        var engine = CreateEngine();
        var run = engine.RunAsync(stop.Token);
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!done() && !run.IsCompleted)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                await stop.CancelAsync();
                await run;
                throw new TimeoutException("The engine did not get there in time.");
            }

            await Task.Delay(2);
        }

        if (crash)
        {
            Store.Crash();
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        if (crash)
        {
            Store.Restart();
        }
    }

    /// <summary>What the accepted Kinesis entries carry, in order: each stream record's source shard, sequence number and key.</summary>
    public IReadOnlyList<Delivered> Delivered() =>
        [.. Kinesis.AcceptedEntries.Where(e => e.Stream == Options.Target.StreamName).SelectMany(e => Parse(e.PartitionKey, e.Data))];

    /// <summary>The stream records in one entry: one, or a KPL aggregate's, in order.</summary>
    public static IReadOnlyList<Delivered> Parse(string partitionKey, RecordData data) =>
        [.. KplDeaggregator.Deaggregate(partitionKey, data.ToArray()).Select(r => ParseOne(r.PartitionKey, r.Data))];

    private static Delivered ParseOne(string partitionKey, byte[] data)
    {
        using var document = JsonDocument.Parse(data);
        var root = document.RootElement;
        return new Delivered(
            root.GetProperty("sourceShardId").GetString()!,
            root.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!,
            partitionKey);
    }

    public void Dispose() => _services.Dispose();
}

internal sealed record Delivered(string ShardId, string SequenceNumber, string PartitionKey);
