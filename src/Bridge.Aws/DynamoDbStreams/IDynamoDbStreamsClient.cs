namespace Bridge.Aws.DynamoDbStreams;

/// <summary>The DynamoDB Streams API (JSON 1.0, target <c>DynamoDBStreams_20120810</c>).</summary>
/// <remarks>
/// Every call retries throttling, 5xx, timeouts and connection failures inside the client
/// (bounded, with full-jitter backoff) and throws a typed <see cref="Protocol.AwsServiceException"/>
/// subclass for everything else.
/// </remarks>
public interface IDynamoDbStreamsClient
{
    /// <summary>One page of <c>ListStreams</c>.</summary>
    Task<ListStreamsPage> ListStreamsAsync(string? tableName, string? exclusiveStartStreamArn, CancellationToken cancellationToken);

    /// <summary>One page of <c>DescribeStream</c>. See <see cref="DynamoDbStreamsClientExtensions"/> for the paginated and child-shard forms.</summary>
    Task<StreamDescription> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken);

    /// <summary><c>GetShardIterator</c>; <paramref name="sequenceNumber"/> is required for the AT/AFTER types only.</summary>
    Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken cancellationToken);

    /// <summary><c>GetRecords</c>: up to <paramref name="limit"/> (1..1000) records.</summary>
    /// <param name="locate">An attribute to locate in each record while the answer is decoded (<see cref="StreamRecord.Located"/>), or null.</param>
    Task<GetRecordsPage> GetRecordsAsync(string shardIterator, int limit, AttributePath? locate, CancellationToken cancellationToken);
}
