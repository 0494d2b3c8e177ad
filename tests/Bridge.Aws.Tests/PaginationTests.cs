using System.Net;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Testing;

namespace Bridge.Aws.Tests;

/// <summary>The paginated forms follow their tokens; pages are scripted because the emulators answer everything in one.</summary>
public sealed class PaginationTests : IDisposable
{
    private readonly CannedAws _aws = new(HttpStatusCode.InternalServerError, "{}", options => options.MaxAttempts = 1);

    private FaultInjectingHandler Wire => _aws.Wire;

    private AwsClientFactory Factory => _aws.Factory;

    public void Dispose() => _aws.Dispose();

    [Fact]
    public async Task ListAllShards_follows_NextToken_and_sends_it_without_the_stream_name()
    {
        Wire.Enqueue(
            Fault.Answer("ListShards", """{"Shards":[{"ShardId":"shardId-0","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"9"}}],"NextToken":"page-2"}"""),
            Fault.Answer("ListShards", """{"Shards":[{"ShardId":"shardId-1","ParentShardId":"shardId-0","HashKeyRange":{"StartingHashKey":"10","EndingHashKey":"19"},"SequenceNumberRange":{"StartingSequenceNumber":"5"}}]}"""));

        var shards = await Factory.CreateKinesisClient().ListAllShardsAsync(KinesisStreamRef.FromName("orders"), CancellationToken.None);

        Assert.Equal(["shardId-0", "shardId-1"], shards.Select(s => s.ShardId));
        Assert.Equal("shardId-0", shards[1].ParentShardId);
        var requests = Wire.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal("orders", requests[0].GetProperty("StreamName").GetString());
        Assert.False(requests[0].TryGetProperty("NextToken", out _));
        Assert.Equal("page-2", requests[1].GetProperty("NextToken").GetString());
        Assert.False(requests[1].TryGetProperty("StreamName", out _));
    }

    [Fact]
    public async Task DescribeAllShards_follows_LastEvaluatedShardId()
    {
        Wire.Enqueue(
            Fault.Answer("DescribeStream", """{"StreamDescription":{"StreamArn":"arn:s","StreamStatus":"ENABLED","Shards":[{"ShardId":"shardId-a","SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":"9"}}],"LastEvaluatedShardId":"shardId-a"}}"""),
            Fault.Answer("DescribeStream", """{"StreamDescription":{"StreamArn":"arn:s","StreamStatus":"ENABLED","Shards":[{"ShardId":"shardId-b","ParentShardId":"shardId-a","SequenceNumberRange":{"StartingSequenceNumber":"10"}}]}}"""));

        var description = await Factory.CreateDynamoDbStreamsClient().DescribeAllShardsAsync("arn:s", CancellationToken.None);

        Assert.Equal(["shardId-a", "shardId-b"], description.Shards.Select(s => s.ShardId));
        Assert.Equal("9", description.Shards[0].EndingSequenceNumber);
        Assert.Null(description.LastEvaluatedShardId);
        var second = JsonDocument.Parse(Wire.Requests[1].Body).RootElement;
        Assert.Equal("shardId-a", second.GetProperty("ExclusiveStartShardId").GetString());
    }

    [Fact]
    public async Task Child_shards_are_filtered_by_parent_even_when_the_endpoint_ignores_the_filter()
    {
        Wire.Enqueue(Fault.Answer("DescribeStream", """
            {"StreamDescription":{"StreamArn":"arn:s","StreamStatus":"ENABLED","Shards":[
              {"ShardId":"shardId-a"},{"ShardId":"shardId-b","ParentShardId":"shardId-a"},{"ShardId":"shardId-c","ParentShardId":"shardId-x"}]}}
            """));

        var children = await Factory.CreateDynamoDbStreamsClient().DescribeChildShardsAsync("arn:s", "shardId-a", CancellationToken.None);

        Assert.Equal("shardId-b", Assert.Single(children).ShardId);
    }
}
