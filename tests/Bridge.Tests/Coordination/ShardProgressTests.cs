using Bridge.Aws.DynamoDbStreams;
using Bridge.Coordination;
using Bridge.Source;
using CsCheck;

namespace Bridge.Tests.Coordination;

public class ShardProgressTests
{
    private static SequenceNumber Seq(int i) => SequenceNumber.Parse((1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Acked_through_stops_at_the_first_unacknowledged_record()
    {
        var progress = new ShardProgress(100, 1 << 20);
        var tickets = Enumerable.Range(0, 4).Select(i => progress.Register(Seq(i), 10)).ToArray();

        progress.Acknowledge(tickets[1]);
        progress.Acknowledge(tickets[3]);
        Assert.True(progress.AckedThrough.IsEmpty);

        progress.Acknowledge(tickets[0]);
        Assert.Equal(Seq(1), progress.AckedThrough);

        progress.Acknowledge(tickets[2]);
        Assert.Equal(Seq(3), progress.AckedThrough);
        Assert.Equal(0, progress.Pending);
        Assert.Equal(4, progress.AcknowledgedCount);
    }

    [Fact]
    public void Refuses_records_out_of_stream_order_and_double_acknowledgements()
    {
        var progress = new ShardProgress(100, 1 << 20);
        var ticket = progress.Register(Seq(5), 1);
        Assert.Throws<InvalidOperationException>(() => progress.Register(Seq(5), 1));
        Assert.Throws<InvalidOperationException>(() => progress.Register(Seq(4), 1));
        progress.Acknowledge(ticket);
        Assert.Throws<InvalidOperationException>(() => progress.Acknowledge(ticket));
    }

    [Fact]
    public async Task Drained_completes_only_when_everything_registered_is_acknowledged()
    {
        var progress = new ShardProgress(100, 1 << 20);
        Assert.True(progress.WhenDrainedAsync(CancellationToken.None).IsCompleted);
        var a = progress.Register(Seq(0), 1);
        var b = progress.Register(Seq(1), 1);
        var drained = progress.WhenDrainedAsync(CancellationToken.None);
        progress.Acknowledge(b);
        Assert.False(drained.IsCompleted);
        progress.Acknowledge(a);
        await drained.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Waiting_for_room_blocks_at_the_cap_until_an_acknowledgement()
    {
        var progress = new ShardProgress(maxPendingRecords: 2, maxPendingBytes: 1 << 20);
        await progress.WaitForRoomAsync(CancellationToken.None);
        var a = progress.Register(Seq(0), 1);
        await progress.WaitForRoomAsync(CancellationToken.None);
        progress.Register(Seq(1), 1);

        var third = progress.WaitForRoomAsync(CancellationToken.None).AsTask();
        Assert.False(third.IsCompleted);
        progress.Acknowledge(a);
        await third.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Bytes_count_until_every_older_record_is_acknowledged_as_they_keep_their_answer_in_memory()
    {
        var progress = new ShardProgress(maxPendingRecords: 100, maxPendingBytes: 300);
        var first = progress.Register(Seq(0), 100);
        var second = progress.Register(Seq(1), 100);
        var third = progress.Register(Seq(2), 100);

        // The two newer records are acknowledged, but the oldest still pins the answer they all came in.
        progress.Acknowledge(second);
        progress.Acknowledge(third);
        var room = progress.WaitForRoomAsync(CancellationToken.None).AsTask();
        Assert.False(room.IsCompleted);

        progress.Acknowledge(first);
        await room.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Acked_through_is_always_the_longest_acknowledged_prefix() =>
        Gen.Int[1, 300].SelectMany(n => Gen.Shuffle(Enumerable.Range(0, n).ToArray()).Select(order => (n, order))).Sample(input =>
        {
            var (n, order) = input;
            var progress = new ShardProgress(1000, 1 << 20);
            var tickets = Enumerable.Range(0, n).Select(i => progress.Register(Seq(i), 1)).ToArray();
            var acked = new bool[n];
            foreach (var i in order)
            {
                progress.Acknowledge(tickets[i]);
                acked[i] = true;
                var prefix = Array.IndexOf(acked, false) is var firstGap and >= 0 ? firstGap : n;
                Assert.Equal(prefix == 0 ? default : Seq(prefix - 1), progress.AckedThrough);
            }
        });
}
