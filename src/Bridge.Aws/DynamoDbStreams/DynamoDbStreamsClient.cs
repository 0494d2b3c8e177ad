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

    public Task<ListStreamsPage> ListStreamsAsync(string? tableName, string? exclusiveStartStreamArn, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new ListStreamsRequestDto(tableName, exclusiveStartStreamArn), StreamsJsonContext.Default.ListStreamsRequestDto);
        return _transport.SendAsync("ListStreams", body, static answer =>
        {
            var dto = JsonSerializer.Deserialize(answer, StreamsJsonContext.Default.ListStreamsResponseDto)!;
            var streams = dto.Streams?.ConvertAll(s => new StreamSummary(s.StreamArn, s.TableName, s.StreamLabel)) ?? [];
            return new ListStreamsPage(streams, dto.LastEvaluatedStreamArn);
        }, cancellationToken);
    }

    public Task<StreamDescription> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequestRules.NotEmpty(request.StreamArn, "StreamArn");
        if (request.Limit is { } limit)
        {
            RequestRules.InRange(limit, 1, 100, "DescribeStream Limit");
        }

        var filter = request.ChildShardsOf is { } parent ? new ShardFilterDto("CHILD_SHARDS", parent) : null;
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new DescribeStreamRequestDto(request.StreamArn, request.ExclusiveStartShardId, request.Limit, filter),
            StreamsJsonContext.Default.DescribeStreamRequestDto);
        return _transport.SendAsync("DescribeStream", body, static answer =>
        {
            var d = JsonSerializer.Deserialize(answer, StreamsJsonContext.Default.DescribeStreamResponseDto)!.StreamDescription;
            var shards = d.Shards?.ConvertAll(s => new StreamShard(
                s.ShardId, s.ParentShardId, s.SequenceNumberRange?.StartingSequenceNumber, s.SequenceNumberRange?.EndingSequenceNumber)) ?? [];
            return new StreamDescription(d.StreamArn, d.TableName, d.StreamStatus, d.StreamViewType, shards, d.LastEvaluatedShardId);
        }, cancellationToken);
    }

    public Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken cancellationToken)
    {
        RequestRules.NotEmpty(streamArn, "StreamArn");
        RequestRules.NotEmpty(shardId, "ShardId");
        var positional = type is ShardIteratorType.AtSequenceNumber or ShardIteratorType.AfterSequenceNumber;
        RequestRules.SequenceNumberMatchesIteratorType(positional, sequenceNumber, type.ToString());
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new GetShardIteratorRequestDto(streamArn, shardId, WireName(type), sequenceNumber),
            StreamsJsonContext.Default.GetShardIteratorRequestDto);
        return _transport.SendAsync("GetShardIterator", body, static answer =>
            JsonSerializer.Deserialize(answer, StreamsJsonContext.Default.GetShardIteratorResponseDto)!.ShardIterator
            ?? throw new JsonException("GetShardIterator answered no ShardIterator."), cancellationToken);
    }

    public Task<GetRecordsPage> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken)
    {
        RequestRules.NotEmpty(shardIterator, "ShardIterator");
        RequestRules.InRange(limit, 1, MaxGetRecordsLimit, "GetRecords Limit");
        var body = JsonSerializer.SerializeToUtf8Bytes(new GetRecordsRequestDto(shardIterator, limit), StreamsJsonContext.Default.GetRecordsRequestDto);
        return _transport.SendAsync("GetRecords", body, StreamRecordsDecoder.Decode, cancellationToken);
    }

    private static string WireName(ShardIteratorType type) => type switch
    {
        ShardIteratorType.TrimHorizon => "TRIM_HORIZON",
        ShardIteratorType.Latest => "LATEST",
        ShardIteratorType.AtSequenceNumber => "AT_SEQUENCE_NUMBER",
        ShardIteratorType.AfterSequenceNumber => "AFTER_SEQUENCE_NUMBER",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown iterator type."),
    };
}
