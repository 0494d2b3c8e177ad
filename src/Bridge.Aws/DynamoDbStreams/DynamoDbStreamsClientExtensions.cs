namespace Bridge.Aws.DynamoDbStreams;

// TEMPORARY (engine branch): replaced by the wire-client branch's version at merge.
public static class DynamoDbStreamsClientExtensions
{
    public static async Task<IReadOnlyList<StreamShard>> DescribeAllShardsAsync(this IDynamoDbStreamsClient client, string streamArn, CancellationToken cancellationToken)
    {
        var shards = new List<StreamShard>();
        string? start = null;
        do
        {
            var page = await client.DescribeStreamAsync(new DescribeStreamRequest(streamArn, start), cancellationToken).ConfigureAwait(false);
            shards.AddRange(page.Shards);
            start = page.LastEvaluatedShardId;
        }
        while (start is not null);
        return shards;
    }

    public static async Task<IReadOnlyList<StreamShard>> DescribeChildShardsAsync(this IDynamoDbStreamsClient client, string streamArn, string parentShardId, CancellationToken cancellationToken)
    {
        var all = await client.DescribeAllShardsAsync(streamArn, cancellationToken).ConfigureAwait(false);
        return [.. all.Where(s => s.ParentShardId == parentShardId)];
    }
}
