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

    [Theory]
    [InlineData(null)]
    [InlineData("pk")]
    [InlineData("n")]
    public void GetRecords_decoding_allocates_only_the_records_array_whether_or_not_it_locates_an_attribute(string? path)
    {
        var body = GetRecordsAnswer(Records);
        var locate = path is null ? null : new AttributePath(path);
        StreamRecordsDecoder.Decode(body, locate);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var page = StreamRecordsDecoder.Decode(body, locate);
        var perRecord = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Records;

        Assert.Equal(Records, page.Records.Length);
        Assert.All(page.Records, r => Assert.Equal(locate is null ? AttributeOutcome.NotLocated : AttributeOutcome.Value, r.Located.Outcome));
        output.WriteLine($"GetRecords decode: {perRecord:F1} bytes per record");
        // The record's slot in the result array (80 bytes, which keeps a 1000-record array off the large object heap)
        // and a few bytes per answer for the page and the iterator: a string or a DTO per record would blow this budget.
        Assert.Equal(80, System.Runtime.CompilerServices.Unsafe.SizeOf<StreamRecord>());
        Assert.InRange(perRecord, 80, 80 + 1);
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

    [Fact]
    public void Data_in_two_parts_is_sent_as_their_concatenation_wherever_they_split()
    {
        var data = Enumerable.Range(0, 11).Select(i => (byte)(i * 37)).ToArray();
        for (var split = 0; split <= data.Length; split++)
        {
            using var buffer = new PooledBufferWriter(0);
            PutRecordsBody.Write(buffer, KinesisStreamRef.FromName("s"), [new PutRecordsEntry("k", new RecordData(data.AsMemory(0, split), data.AsMemory(split)))]);

            using var body = System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory);
            Assert.Equal(Convert.ToBase64String(data), body.RootElement.GetProperty("Records")[0].GetProperty("Data").GetString());
        }
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
            var sequenceNumber = "495903382714902566085596925383" + i.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
            json.Append(i == 0 ? "" : ",").Append(RecordTemplate
                .Replace("#ID", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("#N", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("#SEQ", sequenceNumber, StringComparison.Ordinal));
        }

        return Encoding.UTF8.GetBytes(json.Append("""],"NextShardIterator":"it"}""").ToString());
    }
}
