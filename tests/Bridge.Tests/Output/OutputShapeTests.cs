using System.Text;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Output;
using Bridge.Routing;

namespace Bridge.Tests.Output;

/// <summary>Projection and output formats, read back field by field.</summary>
public class OutputShapeTests
{
    private const string Table = "Music";
    private const string Arn = "arn:aws:dynamodb:us-west-2:111122223333:table/Music/stream/2024-01-01T00:00:00.000";
    private const string Shard = "shardId-00000001700000000000-abcdef01";

    /// <summary>A GetRecords record as DynamoDB Streams sends it (creation time in seconds), for a TTL deletion-like MODIFY.</summary>
    private const string Record = """
        {"eventID":"c4ca4238a0b923820dcc509a6f75849b","eventName":"MODIFY","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-west-2",
         "dynamodb":{"ApproximateCreationDateTime":1.650571004958E9,
           "Keys":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}},
           "NewImage":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"},"AlbumTitle":{"S":"Somewhat Famous"},"Awards":{"N":"2"},"a\"b":{"S":"q"}},
           "OldImage":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"},"AlbumTitle":{"S":"Old Title"},"Awards":{"N":"1"},"a\"b":{"S":"q"}},
           "SequenceNumber":"111000000000000000001","SizeBytes":160,"StreamViewType":"NEW_AND_OLD_IMAGES"},
         "userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}}
        """;

    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeMilliseconds(1_650_571_004_958);

    [Fact]
    public void KinesisDataStreamsForDynamoDB_has_the_native_integrations_fields_in_its_order_then_the_bridges_own()
    {
        using var output = Encode(new OutputShape(OutputFormat.KinesisDataStreamsForDynamoDB));
        var root = output.RootElement;

        Assert.Equal(
            ["awsRegion", "eventID", "eventName", "userIdentity", "recordFormat", "tableName", "dynamodb", "eventSource", "eventSourceARN", "sourceShardId", "sequenceNumber"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("us-west-2", root.GetProperty("awsRegion").GetString());
        Assert.Equal("c4ca4238a0b923820dcc509a6f75849b", root.GetProperty("eventID").GetString());
        Assert.Equal("MODIFY", root.GetProperty("eventName").GetString());
        Assert.Equal("Service", root.GetProperty("userIdentity").GetProperty("type").GetString());
        Assert.Equal("dynamodb.amazonaws.com", root.GetProperty("userIdentity").GetProperty("principalId").GetString());
        Assert.Equal("application/json", root.GetProperty("recordFormat").GetString());
        Assert.Equal(Table, root.GetProperty("tableName").GetString());
        Assert.Equal("aws:dynamodb", root.GetProperty("eventSource").GetString());
        Assert.Equal(Arn, root.GetProperty("eventSourceARN").GetString());
        Assert.Equal(Shard, root.GetProperty("sourceShardId").GetString());
        Assert.Equal("111000000000000000001", root.GetProperty("sequenceNumber").GetString());

        var dynamodb = root.GetProperty("dynamodb");
        Assert.Equal(["ApproximateCreationDateTime", "Keys", "NewImage", "OldImage", "SizeBytes"], dynamodb.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Number, dynamodb.GetProperty("ApproximateCreationDateTime").ValueKind);
        Assert.Equal(1_650_571_004_958, dynamodb.GetProperty("ApproximateCreationDateTime").GetInt64()); // milliseconds
        Assert.Equal(160, dynamodb.GetProperty("SizeBytes").GetInt64());
        Assert.Equal("Call Me Today", dynamodb.GetProperty("Keys").GetProperty("SongTitle").GetProperty("S").GetString());
        Assert.Equal("2", dynamodb.GetProperty("NewImage").GetProperty("Awards").GetProperty("N").GetString());
        Assert.Equal("Old Title", dynamodb.GetProperty("OldImage").GetProperty("AlbumTitle").GetProperty("S").GetString());
        Assert.Equal("q", dynamodb.GetProperty("NewImage").GetProperty("a\"b").GetProperty("S").GetString());
    }

    [Fact]
    public void KinesisDataStreamsForDynamoDB_writes_a_null_userIdentity_for_a_change_made_by_a_user()
    {
        string record = Record[..Record.IndexOf("\"userIdentity\"", StringComparison.Ordinal)].TrimEnd().TrimEnd(',') + "}";
        using var output = Encode(new OutputShape(OutputFormat.KinesisDataStreamsForDynamoDB), record);
        Assert.Equal(JsonValueKind.Null, output.RootElement.GetProperty("userIdentity").ValueKind);
    }

    [Fact]
    public void Lambda_is_the_stream_record_plus_eventSourceARN_and_the_shard_without_tableName()
    {
        using var output = Encode(new OutputShape(OutputFormat.Lambda));
        using var original = JsonDocument.Parse(Record);
        var root = output.RootElement;

        Assert.Equal(original.RootElement.EnumerateObject().Select(p => p.Name).Concat(["eventSourceARN", "sourceShardId"]), root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Arn, root.GetProperty("eventSourceARN").GetString());
        Assert.Equal(1.650571004958E9, root.GetProperty("dynamodb").GetProperty("ApproximateCreationDateTime").GetDouble()); // seconds, as Lambda has it
        Assert.False(root.TryGetProperty("tableName", out _));
        Assert.IsType<OutputRecordEncoder>(new OutputShape(OutputFormat.Lambda).CreateEncoder(Table, Arn, Shard)); // no re-serialising
    }

    [Theory]
    [InlineData(ImageSelection.Both, true, true)]
    [InlineData(ImageSelection.New, true, false)]
    [InlineData(ImageSelection.Old, false, true)]
    [InlineData(ImageSelection.KeysOnly, false, false)]
    public void Images_picks_which_images_are_forwarded_and_Keys_always_is(ImageSelection images, bool hasNew, bool hasOld)
    {
        foreach (var format in new[] { OutputFormat.StreamRecord, OutputFormat.KinesisDataStreamsForDynamoDB, OutputFormat.Lambda })
        {
            using var output = Encode(new OutputShape(format, images));
            var dynamodb = output.RootElement.GetProperty("dynamodb");
            Assert.Equal(hasNew, dynamodb.TryGetProperty("NewImage", out _));
            Assert.Equal(hasOld, dynamodb.TryGetProperty("OldImage", out _));
            Assert.Equal(2, dynamodb.GetProperty("Keys").EnumerateObject().Count());
        }
    }

    [Fact]
    public void Projection_keeps_the_stream_record_and_its_added_fields_otherwise_untouched()
    {
        using var output = Encode(new OutputShape(OutputFormat.StreamRecord, ImageSelection.New));
        using var original = JsonDocument.Parse(Record);
        var root = output.RootElement;

        Assert.Equal(original.RootElement.EnumerateObject().Select(p => p.Name).Concat(["tableName", "eventSourceARN", "sourceShardId"]), root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["ApproximateCreationDateTime", "Keys", "NewImage", "SequenceNumber", "SizeBytes", "StreamViewType"], root.GetProperty("dynamodb").EnumerateObject().Select(p => p.Name));
        Assert.Equal(original.RootElement.GetProperty("dynamodb").GetProperty("NewImage").GetRawText(), root.GetProperty("dynamodb").GetProperty("NewImage").GetRawText());
        Assert.Equal("111000000000000000001", root.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString());
    }

    [Fact]
    public void Include_and_exclude_lists_apply_to_both_images_and_not_to_Keys()
    {
        var include = new OutputShape(OutputFormat.StreamRecord, Include: new HashSet<string> { "Awards", "a\"b" });
        using (var output = Encode(include))
        {
            var dynamodb = output.RootElement.GetProperty("dynamodb");
            Assert.Equal(["Awards", "a\"b"], dynamodb.GetProperty("NewImage").EnumerateObject().Select(p => p.Name));
            Assert.Equal(["Awards", "a\"b"], dynamodb.GetProperty("OldImage").EnumerateObject().Select(p => p.Name));
            Assert.Equal(["Artist", "SongTitle"], dynamodb.GetProperty("Keys").EnumerateObject().Select(p => p.Name));
        }

        var exclude = new OutputShape(OutputFormat.KinesisDataStreamsForDynamoDB, ImageSelection.New, Exclude: new HashSet<string> { "AlbumTitle" });
        using (var output = Encode(exclude))
        {
            Assert.Equal(["Artist", "SongTitle", "Awards", "a\"b"], output.RootElement.GetProperty("dynamodb").GetProperty("NewImage").EnumerateObject().Select(p => p.Name));
        }
    }

    [Fact]
    public void Projection_saves_the_bytes_of_the_dropped_image()
    {
        int both = EncodedLength(OutputShape.Default);
        int newOnly = EncodedLength(new OutputShape(OutputFormat.StreamRecord, ImageSelection.New));
        using var original = JsonDocument.Parse(Record);
        int oldImage = "\"OldImage\":".Length + original.RootElement.GetProperty("dynamodb").GetProperty("OldImage").GetRawText().Length + 1;
        Assert.True(both - newOnly >= oldImage - 10, $"both {both}, new only {newOnly}, old image {oldImage}");
    }

    [Fact]
    public void A_record_that_is_not_a_JSON_object_is_not_encoded()
    {
        var encoder = new OutputShape(OutputFormat.KinesisDataStreamsForDynamoDB).CreateEncoder(Table, Arn, Shard);
        Assert.False(encoder.TryEncode(StreamRecordOf("{\"eventID\":"), out _));
        Assert.False(encoder.TryEncode(StreamRecordOf("[1]"), out _));
    }

    [Fact]
    public void The_default_shape_sends_the_record_bytes_unchanged()
    {
        Assert.IsType<OutputRecordEncoder>(OutputShape.Default.CreateEncoder(Table, Arn, Shard));
        Assert.IsType<ReshapingEncoder>(new OutputShape(OutputFormat.StreamRecord, ImageSelection.New).CreateEncoder(Table, Arn, Shard));
    }

    private static int EncodedLength(OutputShape shape)
    {
        Assert.True(shape.CreateEncoder(Table, Arn, Shard).TryEncode(StreamRecordOf(Record), out var data));
        return data.Length;
    }

    private static JsonDocument Encode(OutputShape shape, string record = Record)
    {
        Assert.True(shape.CreateEncoder(Table, Arn, Shard).TryEncode(StreamRecordOf(record), out var data));
        return JsonDocument.Parse(data.ToArray());
    }

    private static StreamRecord StreamRecordOf(string json) =>
        new(Encoding.UTF8.GetBytes(json), SequenceNumber.Parse("111000000000000000001"), "MODIFY", Created, 160);
}
