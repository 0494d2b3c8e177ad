using Bridge.Aws.Kinesis;
using Bridge.Testing;

namespace Bridge.Aws.Tests;

/// <summary>What only kinesis-mock can show: resharding with UpdateShardCount, and lineage in ListShards.</summary>
public sealed class KinesisMockTests(KinesisMockFixture mock) : IClassFixture<KinesisMockFixture>
{
    [Fact]
    public async Task UpdateShardCount_closes_the_parent_and_lists_children_that_name_it()
    {
        using var factory = mock.Emulator.CreateClientFactory();
        var client = factory.CreateKinesisClient();
        var stream = await KinesisClientTests.NewActiveStreamAsync(client, shards: 1);
        var parent = Assert.Single(await client.ListAllShardsAsync(stream, CancellationToken.None));
        await client.PutRecordAsync(stream, new PutRecordsEntry("k", "before"u8.ToArray()), CancellationToken.None);

        await client.UpdateShardCountAsync(stream, 2, CancellationToken.None);
        await client.WaitUntilActiveAsync(stream);

        var shards = await client.ListAllShardsAsync(stream, CancellationToken.None);
        var closed = Assert.Single(shards, s => s.ShardId == parent.ShardId);
        Assert.NotNull(closed.EndingSequenceNumber);
        var children = shards.Where(s => s.ParentShardId == parent.ShardId || s.AdjacentParentShardId == parent.ShardId).ToList();
        Assert.Equal(2, children.Count);
        Assert.All(children, c => Assert.Null(c.EndingSequenceNumber));
        Assert.Equal(2, (await client.DescribeStreamSummaryAsync(stream, CancellationToken.None)).OpenShardCount);

        var fromParent = await KinesisClientTests.ReadShardAsync(client, stream, parent.ShardId, KinesisIteratorType.TrimHorizon, null);
        Assert.Equal("before"u8.ToArray(), Assert.Single(fromParent).Data.ToArray());
    }
}
