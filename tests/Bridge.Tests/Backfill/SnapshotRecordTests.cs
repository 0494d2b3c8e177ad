using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Bridge.Backfill;
using Bridge.Routing;

namespace Bridge.Tests.Backfill;

public class SnapshotRecordTests
{
    private static readonly BackfillRun Run = BackfillRun.Begin("Rooms", "consumer-b", 4, DateTimeOffset.Parse("2026-12-03T02:10:42Z", System.Globalization.CultureInfo.InvariantCulture));
    private static readonly DateTimeOffset ReadAt = DateTimeOffset.Parse("2026-12-03T02:11:00.250Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Dictionary<string, AttributeValue> Item() => new()
    {
        ["roomId"] = new AttributeValue { S = "r-1" },
        ["ts"] = new AttributeValue { N = "17" },
        ["body"] = new AttributeValue { S = "hé \"there\"" },
        ["raw"] = new AttributeValue { B = new MemoryStream([1, 2, 255]) },
        ["pinned"] = new AttributeValue { BOOL = false },
        ["gone"] = new AttributeValue { NULL = true },
        ["meta"] = new AttributeValue { M = new() { ["tenant"] = new AttributeValue { S = "acme" }, ["empty"] = new AttributeValue { M = [] } } },
        ["list"] = new AttributeValue { L = [new AttributeValue { N = "1" }, new AttributeValue { L = [] }] },
        ["tags"] = new AttributeValue { SS = ["a", "b"] },
        ["scores"] = new AttributeValue { NS = ["1", "2.5"] },
        ["blobs"] = new AttributeValue { BS = [new MemoryStream([7])] },
    };

    [Fact]
    public void A_scanned_item_is_an_INSERT_stream_record_with_keys_new_image_and_the_backfill_marker()
    {
        var record = new SnapshotRecord(Run, ["roomId", "ts"]).Create(Item(), "backfill-consumer-b-2-1", ReadAt, 99);

        using var json = JsonDocument.Parse(record.Json);
        var root = json.RootElement;
        Assert.Equal("INSERT", root.GetProperty("eventName").GetString());
        Assert.Equal("INSERT", record.EventName);
        Assert.Equal("backfill-consumer-b-2-1", root.GetProperty("eventID").GetString());
        Assert.True(root.GetProperty("backfill").GetBoolean());
        Assert.Equal("consumer-b", root.GetProperty("backfillRun").GetString());
        Assert.Equal(DateTimeOffset.Parse("2026-12-03T02:09:00Z", System.Globalization.CultureInfo.InvariantCulture), root.GetProperty("scanStartedAt").GetDateTimeOffset());
        var dynamodb = root.GetProperty("dynamodb");
        Assert.Equal(1796263860.25m, dynamodb.GetProperty("ApproximateCreationDateTime").GetDecimal());
        Assert.Equal(ReadAt, record.ApproximateCreationDateTime);
        Assert.Equal("""{"roomId":{"S":"r-1"},"ts":{"N":"17"}}""", dynamodb.GetProperty("Keys").GetRawText());
        Assert.False(dynamodb.TryGetProperty("SequenceNumber", out _));
        Assert.Equal(99, dynamodb.GetProperty("SizeBytes").GetInt64());
        var image = dynamodb.GetProperty("NewImage");
        Assert.Equal("hé \"there\"", image.GetProperty("body").GetProperty("S").GetString());
        Assert.Equal([1, 2, 255], image.GetProperty("raw").GetProperty("B").GetBytesFromBase64());
        Assert.False(image.GetProperty("pinned").GetProperty("BOOL").GetBoolean());
        Assert.True(image.GetProperty("gone").GetProperty("NULL").GetBoolean());
        Assert.Equal("""{"M":{"tenant":{"S":"acme"},"empty":{"M":{}}}}""", image.GetProperty("meta").GetRawText());
        Assert.Equal("""{"L":[{"N":"1"},{"L":[]}]}""", image.GetProperty("list").GetRawText());
        Assert.Equal("""{"SS":["a","b"]}""", image.GetProperty("tags").GetRawText());
        Assert.Equal("""{"NS":["1","2.5"]}""", image.GetProperty("scores").GetRawText());
        Assert.Equal("""{"BS":["Bw=="]}""", image.GetProperty("blobs").GetRawText());
    }

    [Fact]
    public void In_the_native_format_a_snapshot_record_has_its_region_no_sequence_number_and_keeps_the_backfill_marker()
    {
        const string Arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/Rooms/stream/2026-12-03T00:00:00.000";
        Assert.True(Bridge.Source.DynamoDbStreamArn.TryGetRegion(Arn, out var region));
        var record = new SnapshotRecord(Run, ["roomId", "ts"], region).Create(Item(), "e-1", ReadAt, 99);
        var encoder = new Bridge.Output.OutputShape(Bridge.Output.OutputFormat.KinesisDataStreamsForDynamoDB, Bridge.Output.ImageSelection.Both, Exclude: new HashSet<string> { "raw" })
            .CreateEncoder("Rooms", Arn, "backfill-consumer-b-2");

        Assert.True(encoder.TryEncode(record, out var encoded));

        Assert.True(encoded.Tail.IsEmpty);
        using var json = JsonDocument.Parse(encoded.Head);
        var root = json.RootElement;
        Assert.Equal("eu-west-1", root.GetProperty("awsRegion").GetString());
        Assert.Equal("INSERT", root.GetProperty("eventName").GetString());
        Assert.Equal("Rooms", root.GetProperty("tableName").GetString());
        Assert.Equal(ReadAt.ToUnixTimeMilliseconds(), root.GetProperty("dynamodb").GetProperty("ApproximateCreationDateTime").GetInt64());
        Assert.False(root.GetProperty("dynamodb").GetProperty("NewImage").TryGetProperty("raw", out _));
        Assert.False(root.TryGetProperty("sequenceNumber", out _));
        Assert.True(root.GetProperty("backfill").GetBoolean());
        Assert.Equal("consumer-b", root.GetProperty("backfillRun").GetString());
        Assert.Equal(Run.ScanStartedAt, root.GetProperty("scanStartedAt").GetDateTimeOffset());
        Assert.Equal(
            ["awsRegion", "eventID", "eventName", "userIdentity", "recordFormat", "tableName", "dynamodb", "eventSource", "eventSourceARN", "sourceShardId", "backfill", "backfillRun", "scanStartedAt"],
            root.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("roomId", "r-1")]
    [InlineData("meta.tenant", "acme")]
    [InlineData("ts", "17")]
    public void A_snapshot_record_is_routed_by_the_same_key_rules_as_a_stream_record(string keyPath, string expectedKey)
    {
        var record = new SnapshotRecord(Run, ["roomId", "ts"]).Create(Item(), "e-1", ReadAt, 99);
        var router = new RecordRouter(new PartitionKeySelector(keyPath), new OutputRecordEncoder("Rooms", "arn:aws:dynamodb:us-east-1:1:table/Rooms/stream/x", "backfill-consumer-b-2"));

        var outcome = router.Route(record);

        Assert.True(outcome.IsRouted, outcome.ToString());
        Assert.Equal(expectedKey, outcome.PartitionKey);
        using var output = JsonDocument.Parse(outcome.Data.ToArray());
        Assert.Equal("Rooms", output.RootElement.GetProperty("tableName").GetString());
        Assert.Equal("backfill-consumer-b-2", output.RootElement.GetProperty("sourceShardId").GetString());
        Assert.True(output.RootElement.GetProperty("backfill").GetBoolean());
    }

    [Fact]
    public void An_item_without_the_key_attribute_is_undeliverable_like_a_stream_record()
    {
        var record = new SnapshotRecord(Run, ["roomId", "ts"]).Create(Item(), "e-1", ReadAt, 99);
        var router = new RecordRouter(new PartitionKeySelector("tenantId"), new OutputRecordEncoder("Rooms", "arn:x", "backfill-x"));

        var outcome = router.Route(record);

        Assert.Equal(UndeliverableReason.MissingKey, outcome.Reason);
    }

    [Fact]
    public void A_resume_key_survives_its_round_trip_through_the_checkpoint()
    {
        Dictionary<string, AttributeValue> key = new()
        {
            ["roomId"] = new AttributeValue { S = "r|\"1\"" },
            ["ts"] = new AttributeValue { N = "-1.5E+3" },
            ["blob"] = new AttributeValue { B = new MemoryStream(Encoding.UTF8.GetBytes("bytes")) },
        };

        var parsed = AttributeValueJson.ParseKey(AttributeValueJson.FormatKey(key));

        Assert.Equal("r|\"1\"", parsed["roomId"].S);
        Assert.Equal("-1.5E+3", parsed["ts"].N);
        Assert.Equal("bytes", Encoding.UTF8.GetString(parsed["blob"].B.ToArray()));
    }

    [Fact]
    public void A_resume_key_of_a_non_key_type_is_refused()
    {
        Assert.Throws<FormatException>(() => AttributeValueJson.ParseKey("""{"k":{"BOOL":true}}"""));
    }

    [Theory]
    [InlineData("snapshot", true)]
    [InlineData("consumer-b.2026_12", true)]
    [InlineData("", false)]
    [InlineData("two words", false)]
    [InlineData("a|b", false)]
    public void Run_ids_are_names_that_cannot_break_the_checkpoint_keys(string runId, bool valid)
    {
        Assert.Equal(valid, BackfillRun.IsValidRunId(runId));
    }
}
