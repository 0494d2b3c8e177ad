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
        Assert.Equal(("100", "INSERT", 26L), (page.Records[0].SequenceNumber.Value, page.Records[0].EventName, page.Records[0].SizeBytes));
        Assert.Equal(("200", "REMOVE", 7L), (page.Records[1].SequenceNumber.Value, page.Records[1].EventName, page.Records[1].SizeBytes));
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

    [Fact]
    public void A_located_attribute_is_found_in_the_freshest_image_that_has_it_at_offsets_within_its_record()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"Records":[{{First}},{{Second}},{{Record("\"NewImage\":{\"pk\":{\"N\":\"7\"}},\"Keys\":{\"pk\":{\"S\":\"k\"}}")}}]}""");

        var page = StreamRecordsDecoder.Decode(body, new AttributePath("pk"));

        var keysOnly = page.Records[0].Located;
        Assert.Equal((ImageKind.Keys, AttributeOutcome.Value, AttributeType.S, true), (keysOnly.Image, keysOnly.Outcome, keysOnly.Type, keysOnly.Escaped));
        Assert.Equal("\"a\\\"}\"", Encoding.UTF8.GetString(page.Records[0].Json.Span.Slice(keysOnly.Start, keysOnly.Length)));
        Assert.Equal(AttributeOutcome.Missing, page.Records[1].Located.Outcome);
        var newImage = page.Records[2].Located;
        Assert.Equal((ImageKind.NewImage, AttributeType.N), (newImage.Image, newImage.Type));
        Assert.Equal("\"7\"", Encoding.UTF8.GetString(page.Records[2].Json.Span.Slice(newImage.Start, newImage.Length)));
    }

    [Theory]
    [InlineData("\"Keys\":\"pk\"")]
    [InlineData("\"Keys\":{\"pk\":\"r1\"}")]
    [InlineData("\"Keys\":{\"pk\":{\"S\":\"r1\",\"N\":\"1\"}}")]
    [InlineData("\"Keys\":{\"pk\":{\"X\":1}}")]
    [InlineData("\"NewImage\":{\"pk\":{\"S\":1}},\"Keys\":{\"pk\":{\"S\":\"r1\"}}")]
    [InlineData("\"OldImage\":{\"other\":{\"S\":\"x\"}}")]
    public void A_record_whose_images_break_the_shape_is_marked_malformed_and_the_rest_of_the_answer_decodes(string images)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"Records":[{{Record(images)}},{{First}}],"NextShardIterator":"n"}""");

        var page = StreamRecordsDecoder.Decode(body, new AttributePath("pk"));

        var expected = images.Contains("other", StringComparison.Ordinal) ? AttributeOutcome.Missing : AttributeOutcome.Malformed;
        Assert.Equal(expected, page.Records[0].Located.Outcome);
        Assert.Equal(AttributeOutcome.Value, page.Records[1].Located.Outcome);
        Assert.Equal("n", page.NextShardIterator);
        Assert.Equal("100", page.Records[1].SequenceNumber.Value);
    }

    [Fact]
    public void A_record_with_no_image_at_all_is_malformed_when_an_attribute_is_located()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"Records":[{{Record("\"StreamViewType\":\"KEYS_ONLY\"")}}]}""");

        Assert.Equal(AttributeOutcome.Malformed, StreamRecordsDecoder.Decode(body, new AttributePath("pk")).Records[0].Located.Outcome);
    }

    [Fact]
    public void Invalid_JSON_inside_an_image_fails_the_whole_answer()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"Records":[{{Record("\"Keys\":{\"pk\":{\"S\":\"r1\"},}")}}]}""");

        Assert.ThrowsAny<JsonException>(() => StreamRecordsDecoder.Decode(body, new AttributePath("pk")));
        Assert.ThrowsAny<JsonException>(() => StreamRecordsDecoder.Decode(body));
    }

    [Fact]
    public void An_item_nested_as_deep_as_DynamoDB_allows_decodes()
    {
        // 32 levels of maps, two JSON levels each, under five levels of answer and record: past the reader's default of 64.
        var value = "{\"S\":\"deep\"}";
        for (var i = 31; i > 0; i--)
        {
            value = $"{{\"M\":{{\"m{i}\":{value}}}}}";
        }

        var record = Record("\"NewImage\":{\"m0\":" + value + "}");
        var body = Encoding.UTF8.GetBytes($$"""{"Records":[{{record}}]}""");
        var path = new AttributePath(string.Join('.', Enumerable.Range(0, 32).Select(i => $"m{i}")));

        var decoded = Assert.Single(StreamRecordsDecoder.Decode(body, path).Records);
        Assert.Equal("\"deep\"", Encoding.UTF8.GetString(decoded.Json.Span.Slice(decoded.Located.Start, decoded.Located.Length)));
        Assert.Single(StreamRecordsDecoder.Decode(body).Records);
    }

    private static string Record(string dynamodbFields) =>
        """{"eventName":"MODIFY","dynamodb":{"SequenceNumber":"000000000000000000300",""" + dynamodbFields + ""","SizeBytes":1}}""";
}
