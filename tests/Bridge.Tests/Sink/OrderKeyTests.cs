using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Coordination;
using Bridge.Sink;
using Bridge.Source;
using Bridge.Telemetry;
using Bridge.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Tests.Sink;

/// <summary>The sink keeps order per <see cref="OutboundRecord.OrderKey"/>: the partition key, unless a record has a key of its own.</summary>
public class OrderKeyTests
{
    private static readonly SourceShard Shard = new("items", "arn:aws:dynamodb:us-east-1:000000000000:table/items/stream/x", "backfill-run-0");

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 3)]
    public async Task Records_of_one_partition_key_wait_for_each_other_unless_each_has_its_own_order_key(bool ownOrderKeys, int inFlightAtOnce)
    {
        var kinesis = new FlakyKinesis { Stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new BridgeMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TimeProvider.System);
        await using var sink = new KinesisSink(kinesis, KinesisStreamRef.Parse("target"), new SinkOptions(), TimeProvider.System, NullLogger<KinesisSink>.Instance, metrics);
        await sink.StartAsync(CancellationToken.None);
        var progress = new ShardProgress(100, 1 << 20);

        for (var i = 1; i <= 3; i++)
        {
            var orderKey = ownOrderKeys ? $"backfill-run-0-{i}" : null;
            await sink.AppendAsync(new OutboundRecord(Shard, SequenceNumber.Parse($"{i}"), "room-1", new byte[] { (byte)i }, DateTimeOffset.UnixEpoch, progress, orderKey: orderKey), CancellationToken.None);
        }

        // Kinesis answers nothing yet: what is pending is what the sink let go at once.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (kinesis.PendingEntries < inFlightAtOnce && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await Task.Delay(100);
        Assert.Equal(inFlightAtOnce, kinesis.PendingEntries);
        kinesis.Stall.TrySetResult();
        await progress.WhenDrainedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.Equal(3, kinesis.AcceptedEntries.Count);
        Assert.All(kinesis.AcceptedEntries, e => Assert.Equal("room-1", e.PartitionKey));
    }
}

/// <summary>An aggregate carries one partition key, even from a queue whose order key several share.</summary>
public class AggregatePartitionKeyTests
{
    [Fact]
    public void Packing_stops_at_a_record_of_another_partition_key()
    {
        var shard = new SourceShard("items", "arn:aws:dynamodb:us-east-1:000000000000:table/items/stream/x", "s-0");
        var progress = new ShardProgress(100, 1 << 20);
        var queue = new KeyQueue("shared");
        foreach (var (i, key) in new[] { (1, "a"), (2, "a"), (3, "b"), (4, "a") })
        {
            queue.Enqueue(new OutboundRecord(shard, SequenceNumber.Parse($"{i}"), key, new byte[] { (byte)i }, DateTimeOffset.UnixEpoch, progress, orderKey: "shared"));
        }

        var entry = new KplAggregation(50_000).Pack(queue);

        Assert.Equal(2, entry.Count);
        Assert.Equal("a", entry.PartitionKey);
    }
}
