using System.Text;
using Bridge.Routing;
using static Bridge.Tests.Routing.RecordJson;

namespace Bridge.Tests.Routing;

public class StreamRecordKeysTests
{
    [Theory]
    [MemberData(nameof(FieldOrders), MemberType = typeof(RecordJson))]
    public void Renders_the_keys_in_record_order_and_nothing_of_the_payload(int order)
    {
        byte[] json = Build(
            keys: "{\"roomId\":{\"S\":\"r1\"},\"ts\":{\"N\":\"42\"}}",
            newImage: "{\"roomId\":{\"S\":\"r1\"},\"ts\":{\"N\":\"42\"},\"secret\":{\"S\":\"hunter2\"}}",
            order: order);

        Assert.Equal("roomId=r1, ts=42", StreamRecordKeys.Describe(json));
    }

    [Fact]
    public void Shows_values_as_sent_and_cuts_long_ones()
    {
        string longValue = new('x', 100);
        byte[] json = Build(keys: $"{{\"pk\":{{\"S\":\"{longValue}\"}},\"n\":{{\"N\":\"007\"}},\"b\":{{\"B\":\"AAEC\"}}}}");

        Assert.Equal($"pk={new string('x', StreamRecordKeys.MaxValueLength)}…, n=007, b=AAEC", StreamRecordKeys.Describe(json));
    }

    [Fact]
    public void Names_non_scalar_values_by_type()
    {
        Assert.Equal("pk=<M>, f=<BOOL>", StreamRecordKeys.Describe(Build(keys: "{\"pk\":{\"M\":{}},\"f\":{\"BOOL\":true}}")));
    }

    [Theory]
    [InlineData("{\"dynamodb\":{\"SequenceNumber\":\"1\"}}", "(no keys)")]
    [InlineData("{\"eventName\":\"INSERT\"}", "(no keys)")]
    [InlineData("not json", "(malformed record)")]
    [InlineData("{\"dynamodb\":{\"Keys\":{\"roomId\":{\"S\":\"r1\"},\"ts\":{\"N\"", "roomId=r1, …(malformed record)")]
    [InlineData("{\"dynamodb\":{\"Keys\":{\"roomId\":{\"S\":\"r1\"},\"ts\":{\"S\":\"\\ud800\"}}}}", "roomId=r1, …(malformed record)")]
    public void Never_throws_and_shows_what_it_could_read(string json, string expected)
    {
        Assert.Equal(expected, StreamRecordKeys.Describe(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Invalid_UTF8_is_malformed_not_an_exception()
    {
        Assert.Equal("(malformed record)", StreamRecordKeys.Describe(InvalidUtf8Key));
    }
}
