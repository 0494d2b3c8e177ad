using System.Security.Cryptography;
using System.Text;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Coordination;
using Bridge.Sink;
using Bridge.Source;
using Bridge.Testing;
using CsCheck;

namespace Bridge.Tests.Sink;

public class KplAggregateTests
{
    [Fact]
    public void Writes_the_published_layout_byte_for_byte()
    {
        var aggregate = KplAggregate.Write("k", [Record("k", "a"), Record("k", "bc")]);

        // By hand from aggregation-format.md: partition_key_table "k"; records {index 0, data "a"} and {index 0, data "bc"}.
        byte[] message =
        [
            0x0A, 0x01, (byte)'k',
            0x1A, 0x05, 0x08, 0x00, 0x1A, 0x01, (byte)'a',
            0x1A, 0x06, 0x08, 0x00, 0x1A, 0x02, (byte)'b', (byte)'c',
        ];
        byte[] expected = [0xF3, 0x89, 0x9A, 0xC2, .. message, .. MD5.HashData(message)];
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(aggregate));
    }

    [Fact]
    public void Any_aggregate_reads_back_with_an_independent_protobuf_reader_and_has_the_length_it_was_sized_at() =>
        Gen.Select(
                Gen.String[Gen.Char.AlphaNumeric, 1, 256].Select(k => k + "é"),
                Gen.Int[0, 20_000].Array[1, 8])
            .Sample((key, lengths) =>
            {
                var records = lengths.Select((length, i) => Record(key, new string((char)('a' + i), length))).ToArray();

                var aggregate = KplAggregate.Write(key, records);

                var sized = KplAggregate.EmptyLength(Encoding.UTF8.GetByteCount(key)) + records.Sum(r => KplAggregate.RecordLength(r.Data.Length));
                Assert.Equal(sized, aggregate.Length);
                var read = KplDeaggregator.Deaggregate(key, aggregate);
                Assert.Equal(records.Select(r => Convert.ToHexString(r.Data.ToArray())), read.Select(r => Convert.ToHexString(r.Data)));
                Assert.All(read, r => Assert.Equal(key, r.PartitionKey));
            });

    [Fact]
    public void Packing_takes_the_queue_front_up_to_the_size_limit_and_leaves_a_lone_record_plain()
    {
        var queue = new KeyQueue("room-1");
        var records = Enumerable.Range(0, 10).Select(_ => Record("room-1", new string('x', 1000))).ToArray();
        queue.Enqueue(records[0]);
        var packing = new KplAggregation(maxBytes: 3500);

        var lone = packing.Pack(queue);
        Assert.Equal(1, lone.Count);
        Assert.Equal(records[0].Size, lone.Size);
        Assert.False(KplDeaggregator.IsAggregate(lone.Data().ToArray()));

        foreach (var record in records.Skip(1))
        {
            queue.Enqueue(record);
        }

        var entry = packing.Pack(queue);
        Assert.Equal(3, entry.Count);
        Assert.Equal([records[0], records[1], records[2]], Enumerable.Range(0, entry.Count).Select(i => entry[i]));
        var data = entry.Data().ToArray();
        Assert.Equal(data.Length + Encoding.UTF8.GetByteCount("room-1"), entry.Size);
        Assert.True(entry.Size <= 3500);
        Assert.Equal(3, KplDeaggregator.Deaggregate("room-1", data).Count);
    }

    [Fact]
    public void Packing_stops_before_a_record_whose_shard_was_lost()
    {
        var kept = new ShardProgress(100, 1 << 20);
        var lost = new ShardProgress(100, 1 << 20);
        var queue = new KeyQueue("room-1");
        queue.Enqueue(Record("room-1", "a", kept));
        queue.Enqueue(Record("room-1", "b", kept));
        queue.Enqueue(Record("room-1", "c", lost));
        queue.Enqueue(Record("room-1", "d", kept));
        lost.Abandon();

        var entry = new KplAggregation(maxBytes: 50 * 1024).Pack(queue);

        Assert.Equal(2, entry.Count);
    }

    private static OutboundRecord Record(string key, string data, ShardProgress? progress = null) =>
        new(new SourceShard("chat", "arn", "A"), SequenceNumber.Parse("1"), key, Encoding.UTF8.GetBytes(data), DateTimeOffset.UnixEpoch, progress ?? new ShardProgress(100, 1 << 20));
}
