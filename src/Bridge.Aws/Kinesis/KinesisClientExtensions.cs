namespace Bridge.Aws.Kinesis;

/// <summary>The paginated form of <c>ListShards</c>.</summary>
public static class KinesisClientExtensions
{
    /// <summary>Every shard of the stream (open and closed within retention), following <c>NextToken</c>.</summary>
    public static async Task<IReadOnlyList<KinesisShard>> ListAllShardsAsync(this IKinesisClient client, KinesisStreamRef stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var shards = new List<KinesisShard>();
        string? token = null;
        do
        {
            var page = await client.ListShardsAsync(stream, token, cancellationToken).ConfigureAwait(false);
            shards.AddRange(page.Shards);
            token = page.NextToken;
        }
        while (token is not null);
        return shards;
    }
}
