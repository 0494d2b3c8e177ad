using Bridge.Aws.DynamoDbStreams;
using Bridge.Forwarding;
using Bridge.Routing;
using Bridge.Testing;
using Bridge.Tests.Fakes;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Bridge.Tests.Telemetry;

/// <summary>A source that stops answering must not stop the bridge: the shard retries, reports the outage, and goes on.</summary>
public sealed class SourceOutageTests
{
    [Fact]
    public async Task Reads_retry_through_a_source_outage_report_it_on_the_shard_and_resume()
    {
        var stream = new InMemoryStream();
        stream.AddShard("shard-1");
        stream.AppendRooms("shard-1", 20, 3);

        var source = new UnreachableSource(stream) { Down = true };
        using var harness = new EngineHarness(stream);
        using var readErrors = new MetricCollector<long>(harness.MeterFactory, "Bridge", "bridge.source.read_errors");
        var engine = new BridgeEngine(
            harness.Options,
            [new ResolvedSource(stream.TableName, stream.StreamArn, new PartitionKeySelector("roomId"))],
            source,
            harness.Kinesis,
            harness.Store,
            TimeProvider.System,
            harness.Loggers,
            harness.Metrics);
        using var stop = new CancellationTokenSource();
        var run = engine.RunAsync(stop.Token);

        await Until(() => harness.Metrics.Shards.Any(s => s.ConsecutiveReadFailures >= 1), run);
        var status = Assert.Single(harness.Metrics.Shards);
        Assert.False(status.HasRead);
        Assert.Contains(nameof(HttpRequestException), status.LastReadError, StringComparison.Ordinal);
        Assert.Empty(harness.Kinesis.AcceptedEntries);
        Assert.False(run.IsCompleted);

        source.Down = false;
        await Until(() => harness.Kinesis.AcceptedEntries.Count == 20, run);
        Assert.True(status.HasRead);
        Assert.Equal(0, status.ConsecutiveReadFailures);
        Assert.Null(status.LastReadError);
        Assert.True(readErrors.GetMeasurementSnapshot().EvaluateAsCounter() >= 1);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task Until(Func<bool> condition, Task run)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (run.IsCompleted)
            {
                await run;
                Assert.Fail("the engine stopped");
            }

            await Task.Delay(5, deadline.Token);
        }
    }

    /// <summary>Delegates to the stream, or fails every shard read as a refused connection would, while <see cref="Down"/>.</summary>
    private sealed class UnreachableSource(InMemoryStream stream) : DelegatingStreamsClient(stream)
    {
        public volatile bool Down;

        public override Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken cancellationToken) =>
            Down ? Task.FromException<string>(new HttpRequestException("Connection refused (127.0.0.1:8000)")) : base.GetShardIteratorAsync(streamArn, shardId, type, sequenceNumber, cancellationToken);

        public override Task<GetRecordsPage> GetRecordsAsync(string shardIterator, int limit, AttributePath? locate, CancellationToken cancellationToken) =>
            Down ? Task.FromException<GetRecordsPage>(new HttpRequestException("Connection refused (127.0.0.1:8000)")) : base.GetRecordsAsync(shardIterator, limit, locate, cancellationToken);
    }
}
