using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Tests.Fakes;

/// <summary>Several <see cref="InMemoryStream"/>s behind one DynamoDB Streams client, as one account's streams are:
/// calls go to the stream their ARN names, iterators carry the stream's index.</summary>
internal sealed class InMemoryStreams(IReadOnlyList<InMemoryStream> streams) : IDynamoDbStreamsClient
{
    public Task<ListStreamsPage> ListStreamsAsync(string? tableName, string? exclusiveStartStreamArn, CancellationToken cancellationToken) =>
        Task.FromResult(new ListStreamsPage([.. streams.Select(s => new StreamSummary(s.StreamArn, s.TableName, null))], null));

    public Task<StreamDescription> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken) =>
        StreamOf(request.StreamArn).DescribeStreamAsync(request, cancellationToken);

    public async Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken cancellationToken)
    {
        var index = IndexOf(streamArn);
        return $"{index}#" + await streams[index].GetShardIteratorAsync(streamArn, shardId, type, sequenceNumber, cancellationToken);
    }

    public async Task<GetRecordsPage> GetRecordsAsync(string shardIterator, int limit, AttributePath? locate, CancellationToken cancellationToken)
    {
        var hash = shardIterator.IndexOf('#', StringComparison.Ordinal);
        var index = int.Parse(shardIterator[..hash], System.Globalization.CultureInfo.InvariantCulture);
        var page = await streams[index].GetRecordsAsync(shardIterator[(hash + 1)..], limit, locate, cancellationToken);
        return page with { NextShardIterator = page.NextShardIterator is { } next ? $"{index}#{next}" : null };
    }

    private InMemoryStream StreamOf(string streamArn) => streams[IndexOf(streamArn)];

    private int IndexOf(string streamArn)
    {
        for (var i = 0; i < streams.Count; i++)
        {
            if (streams[i].StreamArn == streamArn)
            {
                return i;
            }
        }

        throw new Aws.Protocol.ResourceNotFoundException($"Stream {streamArn} not found.", System.Net.HttpStatusCode.BadRequest, "fake");
    }
}
