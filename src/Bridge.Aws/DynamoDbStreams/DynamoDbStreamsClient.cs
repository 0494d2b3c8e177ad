using System.Text.Json;
using Bridge.Aws.Protocol;

namespace Bridge.Aws.DynamoDbStreams;

/// <summary>DynamoDB Streams over the JSON 1.0 protocol. Build it with <see cref="AwsClientFactory"/>.</summary>
public sealed class DynamoDbStreamsClient : IDynamoDbStreamsClient
{
    /// <summary>The service's <c>GetRecords</c> limit range.</summary>
    public const int MaxGetRecordsLimit = 1000;

    private readonly AwsJsonTransport _transport;

    internal DynamoDbStreamsClient(AwsJsonTransport transport) => _transport = transport;

    public async Task<ListStreamsPage> ListStreamsAsync(string? tableName, string? exclusiveStartStreamArn, CancellationToken cancellationToken)
    {
        var dto = await _transport.SendAsync(
            "ListStreams", new ListStreamsRequestDto(tableName, exclusiveStartStreamArn),
            StreamsJsonContext.Default.ListStreamsRequestDto, StreamsJsonContext.Default.ListStreamsResponseDto, cancellationToken).ConfigureAwait(false);
        var streams = dto.Streams?.ConvertAll(s => new StreamSummary(s.StreamArn, s.TableName, s.StreamLabel)) ?? [];
        return new ListStreamsPage(streams, dto.LastEvaluatedStreamArn);
    }

    public async Task<StreamDescription> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequestRules.NotEmpty(request.StreamArn, "StreamArn");
        if (request.Limit is { } limit)
        {
            RequestRules.InRange(limit, 1, 100, "DescribeStream Limit");
        }

        var filter = request.ChildShardsOf is { } parent ? new ShardFilterDto("CHILD_SHARDS", parent) : null;
        var answer = await _transport.SendAsync(
            "DescribeStream", new DescribeStreamRequestDto(request.StreamArn, request.ExclusiveStartShardId, request.Limit, filter),
            StreamsJsonContext.Default.DescribeStreamRequestDto, StreamsJsonContext.Default.DescribeStreamResponseDto, cancellationToken).ConfigureAwait(false);
        var d = answer.StreamDescription;
        var shards = d.Shards?.ConvertAll(s => new StreamShard(
            s.ShardId, s.ParentShardId, s.SequenceNumberRange?.StartingSequenceNumber, s.SequenceNumberRange?.EndingSequenceNumber)) ?? [];
        return new StreamDescription(d.StreamArn, d.TableName, d.StreamStatus, d.StreamViewType, shards, d.LastEvaluatedShardId);
    }

    public async Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken cancellationToken)
    {
        RequestRules.NotEmpty(streamArn, "StreamArn");
        RequestRules.NotEmpty(shardId, "ShardId");
        var answer = await _transport.SendAsync(
            "GetShardIterator", new GetShardIteratorRequestDto(streamArn, shardId, IteratorStart.WireName(type, sequenceNumber), sequenceNumber),
            StreamsJsonContext.Default.GetShardIteratorRequestDto, StreamsJsonContext.Default.GetShardIteratorResponseDto, cancellationToken).ConfigureAwait(false);
        return answer.ShardIterator ?? throw new JsonException("GetShardIterator answered no ShardIterator.");
    }

    public Task<GetRecordsPage> GetRecordsAsync(string shardIterator, int limit, AttributePath? locate, CancellationToken cancellationToken)
    {
        RequestRules.NotEmpty(shardIterator, "ShardIterator");
        RequestRules.InRange(limit, 1, MaxGetRecordsLimit, "GetRecords Limit");
        var body = JsonSerializer.SerializeToUtf8Bytes(new GetRecordsRequestDto(shardIterator, limit), StreamsJsonContext.Default.GetRecordsRequestDto);
        return _transport.SendAsync("GetRecords", body, answer => StreamRecordsDecoder.Decode(answer, locate), cancellationToken);
    }
}
