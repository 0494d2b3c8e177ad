using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.Ordering;
using Bridge.Sink;
using Bridge.Source;
using Bridge.Telemetry;
using Bridge.Testing;
using Bridge.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Tests.Ordering;

/// <summary>What the merge stage does when a round ends early (a stopping shard's withdrawal, a shard's lost lease), and at an on-demand backfill's gate.</summary>
public sealed class MergeStageTests : IAsyncLifetime
{
    private const string StreamArn = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x";

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly InMemoryLeaseStore _store = new();
    private readonly BridgeMetrics _metrics;

    /// <summary>Records that reach Kinesis; most tests hold records that are only acknowledged, never sent.</summary>
    private readonly FlakyKinesis _kinesis = new();
    private readonly KinesisSink _sink;

    public MergeStageTests()
    {
        _metrics = new BridgeMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TimeProvider.System);
        _sink = new KinesisSink(_kinesis, KinesisStreamRef.Parse("target"), new SinkOptions(), TimeProvider.System, NullLogger<KinesisSink>.Instance, _metrics);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _sink.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task After_a_shard_withdraws_a_record_no_later_record_is_released_though_the_watermark_passes_it()
    {
        var group = await TakeGroupAsync();
        await using var stage = NewStage(group);
        var a = Attach(stage, "A", out var inletA);
        var b = Attach(stage, "B", out var inletB);
        stage.SourceReady(StreamArn);

        inletB.Hold(b.Next("room-3"), destination: null, orderValue: 50);
        inletA.Hold(a.Next("room-1"), destination: null, orderValue: 100);
        inletA.Hold(a.Next("room-2"), destination: null, orderValue: 200);
        await WaitForWatermarkAsync(stage, 50);
        Assert.Equal(2, stage.HeldRecords);

        // A stops (a redeploy): its room-1 record at 100 goes back, to be read again by the next round. A's frontier
        // stays at 200, so B's room-1 record at 150 brings the watermark to 150; released, it would precede A's.
        inletA.Withdraw();
        inletB.Hold(b.Next("room-1"), destination: null, orderValue: 150);
        await WaitForWatermarkAsync(stage, 150);

        Assert.Equal(1, stage.HeldRecords);
        Assert.Equal(1, b.Progress.AcknowledgedCount);
    }

    [Fact]
    public async Task A_merged_shard_s_lost_lease_abandons_every_shard_of_the_round_at_once()
    {
        var group = await TakeGroupAsync();
        await using var stage = NewStage(group);
        var a = Attach(stage, "A", out var inletA);
        var b = Attach(stage, "B", out _);

        Assert.False(b.Progress.IsAbandoned);
        inletA.OnShardLost();

        Assert.True(group.IsLost);
        Assert.True(a.Progress.IsAbandoned);
        Assert.True(b.Progress.IsAbandoned);
    }

    [Fact]
    public async Task While_a_backfill_runs_a_released_change_older_than_its_items_snapshot_is_acknowledged_and_not_sent()
    {
        var sent = 0;
        _kinesis.OnRequest = (entries, _) => Interlocked.Add(ref sent, entries.Count);
        var group = await TakeGroupAsync();
        await using var stage = NewStage(group);
        var gate = new ItemOrderGate(OrderValueSelector.For("ts"), TimeSpan.FromMinutes(1), TimeProvider.System, stage.RoundLost);
        gate.Open();
        var shard = new SourceShard("t", StreamArn, "A");
        var inlet = stage.Attach(shard, parentShardId: null, OrderValueSelector.For("ts"), gate);
        var a = new TestShard(shard, new ShardProgress(100, 1 << 20, stage.RoundLost));
        stage.SourceReady(StreamArn);

        // The run's snapshot of room-1's item, at 200, went through the gate while its change at 150 was still held.
        var item = new GatedItem(7, Removes: false);
        Assert.True(await gate.TrySendAsync(item, 200, isSnapshot: true, () => ValueTask.CompletedTask, CancellationToken.None));
        inlet.Hold(a.Next("room-1", item), _sink, orderValue: 150);
        await WaitForWatermarkAsync(stage, 150);
        await a.Progress.WhenDrainedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        Assert.Equal(1, a.Progress.AcknowledgedCount);
        Assert.Equal(1, gate.SuppressedChanges);
        Assert.Equal(0, Volatile.Read(ref sent));
    }

    private MergeStage NewStage(HeldLease group) =>
        new(group, new OrderingOptions { Mode = OrderingMode.Merge }, sourceCount: 1, _sink, deadLetterSink: null, maxRecordBytes: 1 << 20, TimeProvider.System, NullLogger<MergeStage>.Instance, _metrics);

    private static TestShard Attach(MergeStage stage, string shardId, out MergeInlet inlet)
    {
        var shard = new SourceShard("t", StreamArn, shardId);
        inlet = stage.Attach(shard, parentShardId: null, OrderValueSelector.For("ts"));
        return new TestShard(shard, new ShardProgress(100, 1 << 20, stage.RoundLost));
    }

    private async Task<HeldLease> TakeGroupAsync()
    {
        var lease = MergeGroup.NewLease(MergeGroup.KeyOf([StreamArn]));
        await _store.TryCreateAsync(lease, default);
        var taken = await _store.TryTakeAsync((await _store.GetAsync(lease.LeaseKey, default))!, "w1", default);
        return new HeldLease(_store, taken!, TimeProvider.System.GetTimestamp(), TimeSpan.FromMinutes(1), TimeProvider.System);
    }

    /// <summary>The release loop moves the watermark and takes what is releasable in one step under the stage's lock:
    /// once the watermark shows <paramref name="value"/>, what that step released is no longer held.</summary>
    private static async Task WaitForWatermarkAsync(MergeStage stage, long value)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (stage.Watermark != value)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The watermark is {stage.Watermark}, not {value}.");
            await Task.Delay(5);
        }
    }

    private sealed class TestShard(SourceShard shard, ShardProgress progress)
    {
        private long _sequence;

        public ShardProgress Progress { get; } = progress;

        /// <summary>The shard's next record, registered in its progress.</summary>
        public OutboundRecord Next(string partitionKey, GatedItem? item = null)
        {
            var sequence = SequenceNumber.Parse($"{1000 + ++_sequence}");
            return new OutboundRecord(shard, sequence, partitionKey, new byte[] { 1 }, DateTimeOffset.UnixEpoch, Progress) { Ticket = Progress.Register(sequence, 1), Item = item };
        }
    }
}
