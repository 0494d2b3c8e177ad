using System.Text;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Routing;
using static Bridge.Tests.Routing.RecordJson;

namespace Bridge.Tests.Routing;

public class RecordRouterTests
{
    private static readonly OutputRecordEncoder Encoder = new("Rooms", "arn:aws:dynamodb:us-east-1:1:table/Rooms/stream/x", "shardId-1");

    [Fact]
    public void A_record_with_a_key_is_routed_with_the_encoded_data()
    {
        byte[] json = Build(keys: Item("roomId", "S", "\"r1\""), newImage: Item("roomId", "S", "\"r1\""));

        RouteOutcome outcome = Router("roomId").Route(Record(json));

        Assert.True(outcome.IsRouted);
        Assert.False(outcome.IsUndeliverable);
        Assert.Equal(UndeliverableReason.None, outcome.Reason);
        Assert.Equal("r1", outcome.PartitionKey);
        Assert.Equal(Encoder.Encode(json).ToArray(), outcome.Data.ToArray());
    }

    [Fact]
    public void A_record_sliced_from_a_larger_response_buffer_is_read_at_its_own_offsets()
    {
        byte[] json = Build(keys: Item("roomId", "S", "\"r1\""));
        byte[] buffer = [.. "[{\"other\":1},"u8, .. json, .. "]"u8];

        RouteOutcome outcome = Router("roomId").Route(Record(buffer.AsMemory(13, json.Length)));

        Assert.Equal("r1", outcome.PartitionKey);
        Assert.Equal(Encoder.Encode(json).ToArray(), outcome.Data.ToArray());
    }

    [Fact]
    public void A_missing_key_names_the_path()
    {
        RouteOutcome outcome = Router("meta.tenant").Route(Record(Build(keys: Item("pk", "S", "\"p\""))));

        AssertUndeliverable(outcome, UndeliverableReason.MissingKey, "'meta.tenant'", "NewImage, OldImage and Keys");
    }

    [Fact]
    public void An_unsupported_type_names_the_path_the_source_and_the_type()
    {
        RouteOutcome outcome = Router("roomId").Route(Record(Build(keys: Item("pk", "S", "\"p\""), newImage: Item("roomId", "SS", "[\"a\"]"))));

        AssertUndeliverable(outcome, UndeliverableReason.UnsupportedKeyType, "'roomId'", "NewImage", "is SS");
    }

    [Fact]
    public void A_path_through_a_non_map_names_the_attribute_that_is_not_a_map()
    {
        RouteOutcome outcome = Router("meta.tenant.id").Route(Record(Build(keys: Item("pk", "S", "\"p\""), oldImage: "{\"meta\":{\"M\":{\"tenant\":{\"N\":\"1\"}}}}")));

        AssertUndeliverable(outcome, UndeliverableReason.UnsupportedKeyType, "'meta.tenant.id'", "OldImage", "'meta.tenant' is N, not a map");
    }

    [Fact]
    public void An_empty_key_says_Kinesis_rejects_it()
    {
        RouteOutcome outcome = Router("roomId").Route(Record(Build(keys: Item("roomId", "S", "\"\""))));

        AssertUndeliverable(outcome, UndeliverableReason.EmptyKey, "'roomId'", "Keys", "empty S");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"eventName\":\"INSERT\"}")]
    [InlineData("{\"dynamodb\":{\"Keys\":{\"roomId\":{\"N\":\"1e\"}}}}")]
    public void A_malformed_record_is_undeliverable(string json)
    {
        RouteOutcome outcome = Router("roomId").Route(Record(Encoding.UTF8.GetBytes(json)));

        AssertUndeliverable(outcome, UndeliverableReason.Malformed, "not a DynamoDB stream record");
    }

    [Fact]
    public void A_record_of_exactly_the_limit_is_routed_and_one_byte_more_is_oversized()
    {
        byte[] json = Build(keys: Item("roomId", "S", "\"r1\""), newImage: Item("blob", "S", $"\"{new string('x', 5000)}\""));
        int dataBytes = Encoder.Encode(json).Length;
        int limit = dataBytes + "r1".Length;

        RouteOutcome atLimit = Router("roomId", limit).Route(Record(json));
        RouteOutcome overLimit = Router("roomId", limit - 1).Route(Record(json));

        Assert.True(atLimit.IsRouted);
        Assert.Equal(limit, atLimit.Data!.Length + atLimit.PartitionKey!.Length);
        AssertUndeliverable(overLimit, UndeliverableReason.Oversized, $"{limit} bytes", $"{dataBytes} of data", "2 of partition key 'roomId'", $"the {limit - 1}-byte limit");
    }

    [Fact]
    public void The_partition_key_counts_in_UTF8_bytes()
    {
        // "日本" is 2 characters but 6 bytes; Kinesis counts bytes.
        byte[] json = Build(keys: Item("roomId", "S", "\"日本\""));
        int dataBytes = Encoder.Encode(json).Length;

        Assert.True(Router("roomId", dataBytes + 6).Route(Record(json)).IsRouted);
        Assert.Equal(UndeliverableReason.Oversized, Router("roomId", dataBytes + 5).Route(Record(json)).Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(RecordRouter.MaxConfigurableRecordBytes + 1)]
    public void The_limit_must_be_one_Kinesis_allows(int limit)
    {
        Assert.Throws<ArgumentOutOfRangeException>("maxRecordBytes", () => Router("roomId", limit));
    }

    [Fact]
    public void The_largest_configurable_limit_admits_a_record_over_the_default()
    {
        byte[] json = Build(keys: Item("roomId", "S", "\"r1\""), newImage: Item("blob", "S", $"\"{new string('x', RecordRouter.DefaultMaxRecordBytes)}\""));

        Assert.Equal(UndeliverableReason.Oversized, Router("roomId").Route(Record(json)).Reason);
        Assert.True(Router("roomId", RecordRouter.MaxConfigurableRecordBytes).Route(Record(json)).IsRouted);
    }

    [Fact]
    public void Routing_a_located_record_allocates_only_the_key()
    {
        byte[] json = Build(keys: Item("roomId", "S", "\"r1\""), newImage: Item("blob", "S", $"\"{new string('x', 4000)}\""), oldImage: Item("roomId", "S", "\"r1\""));
        RecordRouter router = Router("roomId");
        StreamRecord record = Record(json, router.KeyPath.LocateIn(json));
        for (int i = 0; i < 100; i++)
        {
            router.Route(record);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        RouteOutcome outcome = router.Route(record);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The 2-character key string (32 bytes); the data is the record itself plus the encoder's suffix.
        Assert.True(outcome.IsRouted);
        Assert.Equal(32, allocated);
    }

    [Fact]
    public void A_default_outcome_is_neither_routed_nor_undeliverable()
    {
        RouteOutcome outcome = default;

        Assert.False(outcome.IsRouted);
        Assert.False(outcome.IsUndeliverable);
        Assert.Throws<ArgumentOutOfRangeException>("reason", () => RouteOutcome.Undeliverable(UndeliverableReason.None, "no"));
    }

    private static RecordRouter Router(string path, int maxRecordBytes = RecordRouter.DefaultMaxRecordBytes) =>
        new(new PartitionKeySelector(path), Encoder, maxRecordBytes);

    private static StreamRecord Record(ReadOnlyMemory<byte> json, AttributeLocation located = default) =>
        new(json, SequenceNumber.Parse("000000000000000000123"), "MODIFY", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), 26, located);

    private static void AssertUndeliverable(RouteOutcome outcome, UndeliverableReason reason, params string[] messageParts)
    {
        Assert.False(outcome.IsRouted);
        Assert.True(outcome.IsUndeliverable);
        Assert.Equal(reason, outcome.Reason);
        Assert.Null(outcome.PartitionKey);
        Assert.Equal(0, outcome.Data.Length);
        foreach (string part in messageParts)
        {
            Assert.Contains(part, outcome.Message, StringComparison.Ordinal);
        }
    }
}
