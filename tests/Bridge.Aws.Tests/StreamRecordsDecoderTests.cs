using System.Text;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Aws.Tests;

/// <summary>The GetRecords decoder on answers written out by hand, including shapes DynamoDB Local never produces.</summary>
public sealed class StreamRecordsDecoderTests
{
    private const string First =
        """{"awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1.7671104E9,"Keys":{"pk":{"S":"a\"}"}},"SequenceNumber":"100","SizeBytes":26,"StreamViewType":"KEYS_ONLY"},"eventID":"e1","eventName":"INSERT","eventSource":"aws:dynamodb","eventVersion":"1.1"}""";

    private const string Second =
        """{"eventName":"REMOVE","dynamodb":{"SequenceNumber":"200","SizeBytes":7,"ApproximateCreationDateTime":1767110400.25,"OldImage":{"l":{"L":[{"M":{"x":{"NULL":true}}}]}}},"userIdentity":{"type":"Service"}}""";

    [Fact]
    public void Each_record_is_the_exact_bytes_of_its_object_with_the_routing_fields_read()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"Records":[{{First}}, {{Second}}],"NextShardIterator":"next-it"}""");

        var page = StreamRecordsDecoder.Decode(body);

        Assert.Equal("next-it", page.NextShardIterator);
        Assert.Equal(2, page.Records.Length);
        Assert.Equal(First, Encoding.UTF8.GetString(page.Records[0].Json.Span));
        Assert.Equal(Second, Encoding.UTF8.GetString(page.Records[1].Json.Span));
        Assert.Equal(("100", "INSERT", 26L), (page.Records[0].SequenceNumber, page.Records[0].EventName, page.Records[0].SizeBytes));
        Assert.Equal(("200", "REMOVE", 7L), (page.Records[1].SequenceNumber, page.Records[1].EventName, page.Records[1].SizeBytes));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1767110400), page.Records[0].ApproximateCreationDateTime);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1767110400250), page.Records[1].ApproximateCreationDateTime);
    }

    [Fact]
    public void A_closed_shard_answers_no_next_iterator()
    {
        var page = StreamRecordsDecoder.Decode("""{"Records":[]}"""u8.ToArray());

        Assert.Empty(page.Records);
        Assert.Null(page.NextShardIterator);
    }

    [Fact]
    public void A_record_without_a_sequence_number_is_refused()
    {
        var body = """{"Records":[{"eventName":"INSERT","dynamodb":{"SizeBytes":1}}],"NextShardIterator":"x"}"""u8.ToArray();

        Assert.Throws<JsonException>(() => StreamRecordsDecoder.Decode(body));
    }
}
