using System.Text;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Xunit.Abstractions;

namespace Bridge.Aws.Tests;

/// <summary>Guards the per-record cost of the two hot paths in bytes allocated (exact, per thread), not in time.</summary>
public sealed class HotPathAllocationTests(ITestOutputHelper output)
{
    private const int Records = 1000;

    private const string RecordTemplate =
        """{"eventID":"#ID","eventName":"MODIFY","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1767110400,"Keys":{"pk":{"S":"room-#N"}},"NewImage":{"pk":{"S":"room-#N"},"n":{"N":"#N"},"tags":{"SS":["a","b"]}},"OldImage":{"pk":{"S":"room-#N"}},"SequenceNumber":"#SEQ","SizeBytes":120,"StreamViewType":"NEW_AND_OLD_IMAGES"}}""";

    [Fact]
    public void GetRecords_decoding_allocates_little_more_than_one_sequence_number_per_record()
    {
        var body = GetRecordsAnswer(Records);
        StreamRecordsDecoder.Decode(body);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var page = StreamRecordsDecoder.Decode(body);
        var perRecord = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Records;

        Assert.Equal(Records, page.Records.Length);
        output.WriteLine($"GetRecords decode: {perRecord:F1} bytes per record");
        // One 56-digit sequence-number string (~136 B) plus the record's 56-byte slot in the result array.
        // Reading any other field into a string or a DTO would blow this budget.
        Assert.InRange(perRecord, 1, 136 + 56 + 16);
    }

    [Fact]
    public void PutRecords_body_writing_allocates_nothing_per_record()
    {
        var entries = Enumerable.Range(0, 500).Select(i => new PutRecordsEntry($"room-{i}", new byte[100])).ToArray();
        var stream = KinesisStreamRef.FromName("s");
        Write(entries, stream);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var written = Write(entries, stream);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        output.WriteLine($"PutRecords body of {written} bytes for 500 records: {allocated} bytes allocated");
        Assert.InRange(allocated, 0, 1024);
    }

    [Fact]
    public void The_written_PutRecords_body_is_what_the_API_expects()
    {
        using var buffer = new PooledBufferWriter(0);
        PutRecordsBody.Write(buffer, KinesisStreamRef.FromArn("arn:aws:kinesis:us-east-1:1:stream/s"), [new PutRecordsEntry("k\"1", new byte[] { 0, 1, 254 }, "42")]);

        Assert.Equal(
            """{"StreamARN":"arn:aws:kinesis:us-east-1:1:stream/s","Records":[{"Data":"AAH+","PartitionKey":"k\u00221","ExplicitHashKey":"42"}]}""",
            Encoding.UTF8.GetString(buffer.WrittenMemory.Span));
    }

    private static int Write(PutRecordsEntry[] entries, KinesisStreamRef stream)
    {
        using var buffer = new PooledBufferWriter(PutRecordsBody.EstimateSize(entries));
        PutRecordsBody.Write(buffer, stream, entries);
        return buffer.WrittenMemory.Length;
    }

    private static byte[] GetRecordsAnswer(int count)
    {
        var json = new StringBuilder("""{"Records":[""");
        for (var i = 0; i < count; i++)
        {
            var sequenceNumber = "4959033827149025660855969253836157109592157598913" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
            json.Append(i == 0 ? "" : ",").Append(RecordTemplate
                .Replace("#ID", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("#N", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("#SEQ", sequenceNumber, StringComparison.Ordinal));
        }

        return Encoding.UTF8.GetBytes(json.Append("""],"NextShardIterator":"it"}""").ToString());
    }
}
