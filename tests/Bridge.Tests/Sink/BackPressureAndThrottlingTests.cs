using Bridge.Sink;
using Bridge.Tests.Fakes;

namespace Bridge.Tests.Sink;

public class BackPressureAndThrottlingTests
{
    [Fact]
    public async Task Reading_stops_at_the_shards_in_flight_cap_while_Kinesis_stalls_and_resumes_after()
    {
        using var harness = new EngineHarness();
        harness.Options.Reading.MaxInFlightRecordsPerShard = 5;
        harness.Kinesis.Stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Stream.AddShard("A");
        harness.Stream.AppendRooms("A", 50, 10);

        var stalled = false;
        await harness.RunUntilAsync(() =>
        {
            if (!stalled && harness.Kinesis.PendingEntries == 5)
            {
                // The cap is reached and Kinesis answers nothing: let the stall go, and check below that it never grew.
                stalled = true;
                harness.Kinesis.Stall.TrySetResult();
            }

            return harness.Delivered().Count == 50;
        });

        Assert.True(stalled);
        Assert.Equal(5, harness.Kinesis.MaxPendingEntries);
    }

    [Fact]
    public async Task A_throttling_target_shard_still_gets_everything_in_order()
    {
        using var harness = new EngineHarness(kinesis: new FlakyKinesis(shardCount: 2) { ShardCapacityPerRequest = 1 });
        harness.Stream.AddShard("A");
        var records = harness.Stream.AppendRooms("A", 200, 20);

        await harness.RunUntilAsync(() => harness.Delivered().Count == 200);

        foreach (var room in harness.Delivered().GroupBy(d => d.PartitionKey))
        {
            Assert.Equal(room.Select(d => d.SequenceNumber).Order(StringComparer.Ordinal), room.Select(d => d.SequenceNumber));
        }
    }

    [Fact]
    public void The_window_halves_on_throttling_and_grows_back_additively()
    {
        var window = new TargetShardWindow(new SinkOptions { InitialShardWindow = 400, MinShardWindow = 10, MaxShardWindow = 500, ShardWindowIncrease = 50 });
        window.OnThrottled();
        Assert.Equal(200, window.Limit);
        for (var i = 0; i < 10; i++)
        {
            window.OnThrottled();
        }

        Assert.Equal(10, window.Limit);
        window.OnDelivered();
        Assert.Equal(60, window.Limit);
        for (var i = 0; i < 20; i++)
        {
            window.OnDelivered();
        }

        Assert.Equal(500, window.Limit);
        for (var i = 0; i < 500; i++)
        {
            Assert.False(window.IsFull);
            window.Reserve();
        }

        Assert.True(window.IsFull);
        window.Release();
        Assert.False(window.IsFull);
    }
}
