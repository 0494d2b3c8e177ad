using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Testing;

/// <summary>Passes every DynamoDB Streams call to another client; a test or benchmark overrides the calls it alters
/// (fails, delays, times) and inherits the rest.</summary>
public abstract class DelegatingStreamsClient(IDynamoDbStreamsClient inner) : IDynamoDbStreamsClient
{
    public virtual Task<ListStreamsPage> ListStreamsAsync(string? tableName, string? exclusiveStartStreamArn, CancellationToken cancellationToken) =>
        inner.ListStreamsAsync(tableName, exclusiveStartStreamArn, cancellationToken);

    public virtual Task<StreamDescription> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken) =>
        inner.DescribeStreamAsync(request, cancellationToken);

    public virtual Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken cancellationToken) =>
        inner.GetShardIteratorAsync(streamArn, shardId, type, sequenceNumber, cancellationToken);

    public virtual Task<GetRecordsPage> GetRecordsAsync(string shardIterator, int limit, AttributePath? locate, CancellationToken cancellationToken) =>
        inner.GetRecordsAsync(shardIterator, limit, locate, cancellationToken);
}
