using System.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using Bridge.Aws.Kinesis;
using Bridge.Routing;
using static Bridge.Tests.Routing.RecordJson;

namespace Bridge.Tests.Routing;

public class OutputRecordEncoderTests
{
    private const string Arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Rooms/stream/2026-11-27T00:00:00.000";
    private const string ShardId = "shardId-00000001700000000000-abcdef12";

    private static readonly OutputRecordEncoder Encoder = new("Rooms", Arn, ShardId);

    [Theory]
    [MemberData(nameof(FieldOrders), MemberType = typeof(RecordJson))]
    public void Keeps_every_field_byte_for_byte_and_adds_the_source_fields(int order)
    {
        byte[] record = Build(
            keys: Item("roomId", "S", "\"r1\""),
            newImage: "{\"roomId\":{\"S\":\"r1\"},\"n\":{\"N\":\"1.50\"},\"t\":{\"S\":\"caf\\u00e9 \\\"x\\\"\"},\"l\":{\"L\":[{\"NULL\":true},{\"B\":\"AA==\"}]}}",
            oldImage: "{\"roomId\":{\"S\":\"r1\"},\"n\":{\"N\":\"1E0\"}}",
            order: order);

        byte[] output = Encoder.Encode(record).ToArray();

        using JsonDocument original = JsonDocument.Parse(record);
        using JsonDocument encoded = JsonDocument.Parse(output);
        foreach (JsonProperty field in original.RootElement.EnumerateObject())
        {
            Assert.Equal(field.Value.GetRawText(), encoded.RootElement.GetProperty(field.Name).GetRawText());
        }

        Assert.Equal("Rooms", encoded.RootElement.GetProperty("tableName").GetString());
        Assert.Equal(Arn, encoded.RootElement.GetProperty("eventSourceARN").GetString());
        Assert.Equal(ShardId, encoded.RootElement.GetProperty("sourceShardId").GetString());
        Assert.Equal(original.RootElement.EnumerateObject().Count() + 3, encoded.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void The_record_is_sent_as_it_came_with_the_fields_appended()
    {
        byte[] output = Encoder.Encode("{\"a\":1}"u8.ToArray()).ToArray();

        Assert.Equal($"{{\"a\":1,\"tableName\":\"Rooms\",\"eventSourceARN\":\"{Arn}\",\"sourceShardId\":\"{ShardId}\"}}", Encoding.UTF8.GetString(output));
    }

    [Theory]
    [InlineData("{}", 3)]
    [InlineData("{ }", 3)]
    [InlineData(" {\n}\r\n", 3)]
    [InlineData("{\"a\":{}}", 4)]
    [InlineData("{\"a\":\"{\"}", 4)]
    [InlineData("{\"a\":[] }  \n\t", 4)]
    public void Only_an_empty_object_gets_the_fields_without_a_leading_comma(string record, int fieldCount)
    {
        byte[] output = Encoder.Encode(Encoding.UTF8.GetBytes(record)).ToArray();

        using JsonDocument encoded = JsonDocument.Parse(output);
        Assert.Equal(fieldCount, encoded.RootElement.EnumerateObject().Count());
        Assert.Equal(ShardId, encoded.RootElement.GetProperty("sourceShardId").GetString());
    }

    [Theory]
    [InlineData("Rooms \"quoted\"")]
    [InlineData("back\\slash")]
    [InlineData("new\nline\ttab")]
    [InlineData("<script>&'")]
    [InlineData("日本語-テーブル")]
    [InlineData("\u0001control")]
    public void Odd_table_names_are_escaped(string tableName)
    {
        var encoder = new OutputRecordEncoder(tableName, Arn, ShardId);

        using JsonDocument encoded = JsonDocument.Parse(encoder.Encode("{\"a\":1}"u8.ToArray()).ToArray());

        Assert.Equal(tableName, encoded.RootElement.GetProperty("tableName").GetString());
    }

    [Theory]
    [InlineData("{\"a\":1}")]
    [InlineData("{\"a\":1}  \r\n")]
    [InlineData("{}")]
    public void TryEncode_gives_what_Encode_gives(string record)
    {
        byte[] json = Encoding.UTF8.GetBytes(record);

        Assert.True(Encoder.TryEncode(json, out RecordData encoded));
        Assert.Equal(Encoder.Encode(json).ToArray(), encoded.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("}")]
    [InlineData("{")]
    [InlineData("[1]")]
    [InlineData("{\"a\":1")]
    [InlineData("\"a\"}")]
    public void Input_that_is_not_an_object_is_malformed(string record)
    {
        byte[] json = Encoding.UTF8.GetBytes(record);

        Assert.False(Encoder.TryEncode(json, out _));
        Assert.Throws<ArgumentException>("recordJson", () => Encoder.Encode(json));
    }

    [Theory]
    [InlineData(null, Arn, ShardId)]
    [InlineData("Rooms", "", ShardId)]
    [InlineData("Rooms", Arn, "")]
    public void The_source_fields_are_required(string? tableName, string arn, string shardId)
    {
        Assert.ThrowsAny<ArgumentException>(() => new OutputRecordEncoder(tableName!, arn, shardId));
    }

    [Fact]
    public void Encoding_allocates_nothing_and_the_output_is_the_record_itself_up_to_its_brace()
    {
        byte[] record = Build(keys: Item("roomId", "S", "\"r1\""), newImage: Item("roomId", "S", $"\"{new string('x', 10_000)}\""));
        for (int i = 0; i < 100; i++)
        {
            Encoder.Encode(record);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        RecordData output = Encoder.Encode(record);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(MemoryMarshal.TryGetArray(output.Head, out ArraySegment<byte> head) && head.Array == record && head.Offset == 0);
        Assert.Equal(record.Length - 1, output.Head.Length);
    }
}
