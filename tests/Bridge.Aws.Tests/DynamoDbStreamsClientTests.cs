using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Protocol;
using Bridge.Testing;
using ResourceNotFoundException = Bridge.Aws.Protocol.ResourceNotFoundException;
using TrimmedDataAccessException = Bridge.Aws.Protocol.TrimmedDataAccessException;
using StreamRecord = Bridge.Aws.DynamoDbStreams.StreamRecord;
using ShardIteratorType = Bridge.Aws.DynamoDbStreams.ShardIteratorType;
using StreamViewType = Amazon.DynamoDBv2.StreamViewType;

namespace Bridge.Aws.Tests;

/// <summary>The DynamoDB Streams client over the wire against DynamoDB Local.</summary>
public sealed class DynamoDbStreamsClientTests(DynamoDbLocalFixture local) : IClassFixture<DynamoDbLocalFixture>, IDisposable
{
    private readonly FaultInjectingHandler _wire = new();
    private AwsClientFactory? _factory;

    private DynamoDbStreamsClient Client => (_factory ??= local.Emulator.CreateClientFactory(handler: _wire)).CreateDynamoDbStreamsClient();

    public void Dispose()
    {
        _factory?.Dispose();
        _wire.Dispose();
    }

    [Fact]
    public async Task Lists_and_describes_the_stream_of_a_new_table()
    {
        var table = await CreateTableAsync();

        var page = await Client.ListStreamsAsync(table, null, CancellationToken.None);
        var summary = Assert.Single(page.Streams);
        Assert.Equal(table, summary.TableName);

        var description = await Client.DescribeAllShardsAsync(summary.StreamArn, CancellationToken.None);
        Assert.Equal("ENABLED", description.StreamStatus);
        Assert.Equal("NEW_AND_OLD_IMAGES", description.StreamViewType);
        Assert.Equal(table, description.TableName);
        var shard = Assert.Single(description.Shards);
        Assert.StartsWith("shardId-", shard.ShardId, StringComparison.Ordinal);
        Assert.Null(shard.EndingSequenceNumber);
        Assert.Null(description.LastEvaluatedShardId);
    }

    [Fact]
    public async Task Child_shards_of_an_open_shard_are_none_whether_or_not_the_endpoint_knows_ShardFilter()
    {
        var streamArn = await StreamOfAsync(await CreateTableAsync());
        var shard = Assert.Single((await Client.DescribeAllShardsAsync(streamArn, CancellationToken.None)).Shards);

        var children = await Client.DescribeChildShardsAsync(streamArn, shard.ShardId, CancellationToken.None);

        Assert.Empty(children);
        var describes = _wire.Requests.Where(r => r.Operation == "DescribeStream").ToList();
        // DynamoDB Local (2026-05-28) accepts the filter, so there is no fallback describe after the filtered one.
        Assert.Equal(2, describes.Count);
        Assert.Contains("\"ShardFilter\":{\"Type\":\"CHILD_SHARDS\",\"ShardId\":\"" + shard.ShardId + "\"}", Encoding.UTF8.GetString(describes[1].Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Child_shards_fall_back_to_a_full_describe_when_the_filter_is_rejected()
    {
        var streamArn = await StreamOfAsync(await CreateTableAsync());
        var shard = Assert.Single((await Client.DescribeAllShardsAsync(streamArn, CancellationToken.None)).Shards);
        _wire.Enqueue(Fault.Error(System.Net.HttpStatusCode.BadRequest, "ValidationException", "DescribeStream"));
        var before = _wire.CountOf("DescribeStream");

        var children = await Client.DescribeChildShardsAsync(streamArn, shard.ShardId, CancellationToken.None);

        Assert.Empty(children);
        var fallback = _wire.Requests.Where(r => r.Operation == "DescribeStream").Skip(before).ToList();
        Assert.Equal(2, fallback.Count);
        Assert.DoesNotContain("ShardFilter", Encoding.UTF8.GetString(fallback[1].Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRecords_decodes_inserts_modifies_and_removes_with_every_attribute_type()
    {
        var table = await CreateTableAsync();
        var streamArn = await StreamOfAsync(table);
        await local.Tables.PutItemAsync(table, EveryAttributeType("room-1"));
        await local.Tables.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = new() { ["pk"] = new AttributeValue { S = "room-1" } },
            UpdateExpression = "SET n = :n",
            ExpressionAttributeValues = new() { [":n"] = new AttributeValue { N = "43" } },
        });
        await local.Tables.DeleteItemAsync(table, new() { ["pk"] = new AttributeValue { S = "room-1" } });

        var records = await ReadAllAsync(streamArn, ShardIteratorType.TrimHorizon, null, expected: 3);

        Assert.Equal(["INSERT", "MODIFY", "REMOVE"], records.Select(r => r.EventName));
        Assert.Same(StreamRecordsDecoder.Insert, records[0].EventName);
        Assert.Same(StreamRecordsDecoder.Modify, records[1].EventName);
        Assert.Same(StreamRecordsDecoder.Remove, records[2].EventName);
        Assert.True(records.Zip(records.Skip(1)).All(p => p.First.SequenceNumber < p.Second.SequenceNumber));
        Assert.All(records, r => Assert.True(r.SizeBytes > 0));
        Assert.All(records, r => Assert.InRange(r.ApproximateCreationDateTime, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1)));

        foreach (var record in records)
        {
            using var json = JsonDocument.Parse(record.Json);
            Assert.Equal(record.EventName, json.RootElement.GetProperty("eventName").GetString());
            Assert.Equal(record.SequenceNumber.Value, json.RootElement.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString());
            Assert.Equal(record.SizeBytes, json.RootElement.GetProperty("dynamodb").GetProperty("SizeBytes").GetInt64());
        }

        using var insert = JsonDocument.Parse(records[0].Json);
        var image = insert.RootElement.GetProperty("dynamodb").GetProperty("NewImage");
        Assert.Equal("room-1", image.GetProperty("pk").GetProperty("S").GetString());
        Assert.Equal("42", image.GetProperty("n").GetProperty("N").GetString());
        Assert.Equal([1, 2, 255], image.GetProperty("b").GetProperty("B").GetBytesFromBase64());
        Assert.Equal(["a", "b"], image.GetProperty("ss").GetProperty("SS").EnumerateArray().Select(e => e.GetString()).Order());
        Assert.Equal(["1", "2.5"], image.GetProperty("ns").GetProperty("NS").EnumerateArray().Select(e => e.GetString()).Order());
        Assert.Equal(2, image.GetProperty("bs").GetProperty("BS").GetArrayLength());
        Assert.Equal("inner", image.GetProperty("m").GetProperty("M").GetProperty("k").GetProperty("S").GetString());
        Assert.Equal("7", image.GetProperty("l").GetProperty("L")[1].GetProperty("N").GetString());
        Assert.True(image.GetProperty("nul").GetProperty("NULL").GetBoolean());
        Assert.False(image.GetProperty("bool").GetProperty("BOOL").GetBoolean());

        using var modify = JsonDocument.Parse(records[1].Json);
        Assert.Equal("42", modify.RootElement.GetProperty("dynamodb").GetProperty("OldImage").GetProperty("n").GetProperty("N").GetString());
        Assert.Equal("43", modify.RootElement.GetProperty("dynamodb").GetProperty("NewImage").GetProperty("n").GetProperty("N").GetString());
    }

    [Fact]
    public async Task Record_json_is_a_slice_of_one_response_buffer()
    {
        var table = await CreateTableAsync();
        var streamArn = await StreamOfAsync(table);
        await local.Tables.PutItemAsync(table, new() { ["pk"] = new AttributeValue { S = "a" } });
        await local.Tables.PutItemAsync(table, new() { ["pk"] = new AttributeValue { S = "b" } });

        var iterator = await Client.GetShardIteratorAsync(streamArn, await OnlyShardAsync(streamArn), ShardIteratorType.TrimHorizon, null, CancellationToken.None);
        var page = await Client.GetRecordsAsync(iterator, 1000, CancellationToken.None);

        Assert.Equal(2, page.Records.Length);
        Assert.True(MemoryMarshal.TryGetArray(page.Records[0].Json, out var first));
        Assert.True(MemoryMarshal.TryGetArray(page.Records[1].Json, out var second));
        Assert.Same(first.Array, second.Array);
        Assert.True(first.Offset + first.Count < second.Offset);
        Assert.Equal((byte)'{', first.Array![first.Offset]);
        Assert.Equal((byte)'}', first.Array[first.Offset + first.Count - 1]);
        Assert.NotNull(page.NextShardIterator);
    }

    [Fact]
    public async Task Positional_and_latest_iterators_start_where_they_say()
    {
        var table = await CreateTableAsync();
        var streamArn = await StreamOfAsync(table);
        foreach (var key in (string[])["k1", "k2", "k3"])
        {
            await local.Tables.PutItemAsync(table, new() { ["pk"] = new AttributeValue { S = key } });
        }

        var all = await ReadAllAsync(streamArn, ShardIteratorType.TrimHorizon, null, expected: 3);
        var at = await ReadAllAsync(streamArn, ShardIteratorType.AtSequenceNumber, all[1].SequenceNumber.Value, expected: 2);
        var after = await ReadAllAsync(streamArn, ShardIteratorType.AfterSequenceNumber, all[1].SequenceNumber.Value, expected: 1);
        Assert.Equal(all[1].SequenceNumber, at[0].SequenceNumber);
        Assert.Equal(all[2].SequenceNumber, after[0].SequenceNumber);

        var latest = await Client.GetShardIteratorAsync(streamArn, await OnlyShardAsync(streamArn), ShardIteratorType.Latest, null, CancellationToken.None);
        Assert.Empty((await Client.GetRecordsAsync(latest, 100, CancellationToken.None)).Records);
        await local.Tables.PutItemAsync(table, new() { ["pk"] = new AttributeValue { S = "k4" } });
        var fresh = await Client.GetRecordsAsync(latest, 100, CancellationToken.None);
        using var json = JsonDocument.Parse(Assert.Single(fresh.Records).Json);
        Assert.Equal("k4", json.RootElement.GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString());
    }

    [Fact]
    public async Task A_missing_stream_is_ResourceNotFound_and_not_retried()
    {
        var missing = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2026-01-01T00:00:00.000";

        var error = await Assert.ThrowsAsync<ResourceNotFoundException>(
            () => Client.DescribeStreamAsync(new DescribeStreamRequest(missing), CancellationToken.None));

        Assert.Equal(1, _wire.CountOf("DescribeStream"));
        Assert.False(string.IsNullOrEmpty(error.RequestId));
    }

    [Fact]
    public async Task A_malformed_iterator_is_a_typed_service_error()
    {
        var error = await Assert.ThrowsAnyAsync<AwsServiceException>(
            () => Client.GetRecordsAsync("not-an-iterator", 10, CancellationToken.None));

        Assert.Contains(error.ErrorCode, (string[])["ValidationException", "ExpiredIteratorException", "InvalidArgumentException"]);
        Assert.Equal(1, _wire.CountOf("GetRecords"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task GetRecords_limit_outside_1_to_1000_is_refused_before_sending(int limit)
    {
        await Assert.ThrowsAsync<AwsRequestValidationException>(() => Client.GetRecordsAsync("iterator", limit, CancellationToken.None));
        Assert.Empty(_wire.Requests);
    }

    [Theory]
    [InlineData(ShardIteratorType.AtSequenceNumber, null)]
    [InlineData(ShardIteratorType.AfterSequenceNumber, "")]
    [InlineData(ShardIteratorType.TrimHorizon, "123")]
    public async Task Iterator_type_and_sequence_number_must_agree_before_sending(ShardIteratorType type, string? sequenceNumber)
    {
        await Assert.ThrowsAsync<AwsRequestValidationException>(
            () => Client.GetShardIteratorAsync("arn:stream", "shardId-1", type, sequenceNumber, CancellationToken.None));
        Assert.Empty(_wire.Requests);
    }

    private async Task<List<StreamRecord>> ReadAllAsync(string streamArn, ShardIteratorType type, string? sequenceNumber, int expected)
    {
        var iterator = await Client.GetShardIteratorAsync(streamArn, await OnlyShardAsync(streamArn), type, sequenceNumber, CancellationToken.None);
        var records = new List<StreamRecord>();
        // An open shard has no end, so read until the expected count arrives or pages come back empty.
        for (var pages = 0; records.Count < expected && iterator is not null && pages < 20; pages++)
        {
            var page = await Client.GetRecordsAsync(iterator, 1000, CancellationToken.None);
            records.AddRange(page.Records);
            iterator = page.NextShardIterator;
        }

        Assert.Equal(expected, records.Count);
        return records;
    }

    private async Task<string> OnlyShardAsync(string streamArn) =>
        Assert.Single((await Client.DescribeAllShardsAsync(streamArn, CancellationToken.None)).Shards).ShardId;

    private async Task<string> StreamOfAsync(string table) =>
        Assert.Single((await Client.ListStreamsAsync(table, null, CancellationToken.None)).Streams).StreamArn;

    private async Task<string> CreateTableAsync()
    {
        var name = "t" + Guid.NewGuid().ToString("N");
        await local.Tables.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
        });
        return name;
    }

    private static Dictionary<string, AttributeValue> EveryAttributeType(string key) => new()
    {
        ["pk"] = new AttributeValue { S = key },
        ["n"] = new AttributeValue { N = "42" },
        ["b"] = new AttributeValue { B = new MemoryStream([1, 2, 255]) },
        ["ss"] = new AttributeValue { SS = ["a", "b"] },
        ["ns"] = new AttributeValue { NS = ["1", "2.5"] },
        ["bs"] = new AttributeValue { BS = [new MemoryStream([1]), new MemoryStream([2, 3])] },
        ["m"] = new AttributeValue { M = new() { ["k"] = new AttributeValue { S = "inner" } } },
        ["l"] = new AttributeValue { L = [new AttributeValue { S = "x" }, new AttributeValue { N = "7" }] },
        ["nul"] = new AttributeValue { NULL = true },
        ["bool"] = new AttributeValue { BOOL = false },
    };
}
