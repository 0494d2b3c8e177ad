using System.Text;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Backfill;

namespace Bridge.Tests.Backfill;

public class ItemKeyTests
{
    private static UInt128 KeyOf(string keysJson)
    {
        var json = """{"eventName":"MODIFY","dynamodb":{"ApproximateCreationDateTime":1796263860,"Keys":""" + keysJson + ""","NewImage":{"x":{"S":"y"}}}}""";
        Assert.True(ItemKey.TryRead(Encoding.UTF8.GetBytes(json), out var key));
        return key;
    }

    [Fact]
    public void A_snapshot_record_and_a_stream_record_of_one_item_have_one_key_whatever_the_order_of_the_attributes()
    {
        var run = BackfillRun.Begin("Rooms", BackfillRun.SnapshotRunId, 4, DateTimeOffset.UnixEpoch);
        var snapshot = new SnapshotRecord(run, ["roomId", "ts"]).Create(
            new() { ["roomId"] = new AttributeValue { S = "r \"1\"" }, ["ts"] = new AttributeValue { N = "17" }, ["body"] = new AttributeValue { S = "hi" } },
            "e",
            DateTimeOffset.UnixEpoch,
            10);
        Assert.True(ItemKey.TryRead(snapshot.Json.Span, out var fromScan));

        Assert.Equal(fromScan, KeyOf("""{"ts":{"N":"17"},"roomId":{"S":"r \"1\""}}"""));
        Assert.Equal(fromScan, KeyOf("""{"roomId":{"S":"r \u00221\u0022"},"ts":{"N":"1.7E1"}}"""));
    }

    [Fact]
    public void Items_that_differ_in_any_key_attribute_or_its_type_have_different_keys()
    {
        var keys = new[]
        {
            KeyOf("""{"roomId":{"S":"r1"},"ts":{"N":"17"}}"""),
            KeyOf("""{"roomId":{"S":"r1"},"ts":{"N":"18"}}"""),
            KeyOf("""{"roomId":{"S":"r2"},"ts":{"N":"17"}}"""),
            KeyOf("""{"roomId":{"S":"17"},"ts":{"S":"r1"}}"""),
            KeyOf("""{"roomId":{"S":"r1"},"ts":{"S":"17"}}"""),
            KeyOf("""{"roomId":{"S":"r1"}}"""),
            KeyOf("""{"id":{"B":"AQI="}}"""),
            KeyOf("""{"id":{"S":"AQI="}}"""),
        };

        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Theory]
    [InlineData("""{"eventName":"MODIFY"}""")]
    [InlineData("""{"dynamodb":{"NewImage":{"a":{"S":"b"}}}}""")]
    [InlineData("""{"dynamodb":{"Keys":{}}}""")]
    [InlineData("""{"dynamodb":{"Keys":{"a":{"M":{}}}}}""")]
    [InlineData("""{"dynamodb":{"Keys":{"a":{"S":"b"}""")]
    public void A_record_without_readable_keys_has_no_key(string json) =>
        Assert.False(ItemKey.TryRead(Encoding.UTF8.GetBytes(json), out _));
}
