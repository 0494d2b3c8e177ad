using Bridge.Aws.Protocol;

namespace Bridge.Aws.DynamoDbStreams;

/// <summary>The paginated and child-shard forms of <c>DescribeStream</c>.</summary>
public static class DynamoDbStreamsClientExtensions
{
    /// <summary><c>GetRecords</c> without locating any attribute.</summary>
    public static Task<GetRecordsPage> GetRecordsAsync(this IDynamoDbStreamsClient client, string shardIterator, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.GetRecordsAsync(shardIterator, limit, null, cancellationToken);
    }

    /// <summary>Every shard of the stream, following <c>LastEvaluatedShardId</c> until the last page.</summary>
    public static async Task<StreamDescription> DescribeAllShardsAsync(this IDynamoDbStreamsClient client, string streamArn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var page = await client.DescribeStreamAsync(new DescribeStreamRequest(streamArn), cancellationToken).ConfigureAwait(false);
        var shards = new List<StreamShard>(page.Shards);
        while (page.LastEvaluatedShardId is { } last)
        {
            page = await client.DescribeStreamAsync(new DescribeStreamRequest(streamArn, ExclusiveStartShardId: last), cancellationToken).ConfigureAwait(false);
            shards.AddRange(page.Shards);
        }

        return page with { Shards = shards, LastEvaluatedShardId = null };
    }

    /// <summary>The shards whose parent is <paramref name="parentShardId"/>.</summary>
    /// <remarks>
    /// Asks with <c>ShardFilter</c> <c>CHILD_SHARDS</c>, which spares describing a large stream in full. An endpoint that
    /// predates the filter either rejects it (then every shard is described instead) or ignores it and answers all
    /// shards, so the answer is filtered by parent in every case.
    /// </remarks>
    public static async Task<IReadOnlyList<StreamShard>> DescribeChildShardsAsync(
        this IDynamoDbStreamsClient client, string streamArn, string parentShardId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        IEnumerable<StreamShard> shards;
        try
        {
            shards = await DescribeFilteredAsync(client, streamArn, parentShardId, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (IsFilterRejection(e))
        {
            shards = (await client.DescribeAllShardsAsync(streamArn, cancellationToken).ConfigureAwait(false)).Shards;
        }

        return shards.Where(s => s.ParentShardId == parentShardId).ToList();
    }

    private static async Task<List<StreamShard>> DescribeFilteredAsync(
        IDynamoDbStreamsClient client, string streamArn, string parentShardId, CancellationToken cancellationToken)
    {
        var shards = new List<StreamShard>();
        string? start = null;
        do
        {
            var page = await client.DescribeStreamAsync(
                new DescribeStreamRequest(streamArn, ExclusiveStartShardId: start, ChildShardsOf: parentShardId), cancellationToken).ConfigureAwait(false);
            shards.AddRange(page.Shards);
            start = page.LastEvaluatedShardId;
        }
        while (start is not null);
        return shards;
    }

    private static bool IsFilterRejection(AwsServiceException e) =>
        e is ValidationException or InvalidArgumentException
        || e.ErrorCode is "SerializationException" or "UnknownOperationException";
}
