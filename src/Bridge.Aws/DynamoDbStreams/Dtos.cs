namespace Bridge.Aws.DynamoDbStreams;

// Wire shapes of the DynamoDB Streams API, named as in its model; only the fields the client reads or writes.
// GetRecords' answer has no DTO: StreamRecordsDecoder reads it in one pass.

internal sealed record ListStreamsRequestDto(string? TableName, string? ExclusiveStartStreamArn);

internal sealed record ListStreamsResponseDto(List<StreamSummaryDto>? Streams, string? LastEvaluatedStreamArn);

internal sealed record StreamSummaryDto(string StreamArn, string TableName, string? StreamLabel);

internal sealed record ShardFilterDto(string Type, string ShardId);

internal sealed record DescribeStreamRequestDto(string StreamArn, string? ExclusiveStartShardId, int? Limit, ShardFilterDto? ShardFilter);

internal sealed record DescribeStreamResponseDto(StreamDescriptionDto StreamDescription);

internal sealed record StreamDescriptionDto(
    string StreamArn,
    string? TableName,
    string StreamStatus,
    string? StreamViewType,
    List<ShardDto>? Shards,
    string? LastEvaluatedShardId);

internal sealed record ShardDto(string ShardId, string? ParentShardId, SequenceNumberRangeDto? SequenceNumberRange);

internal sealed record SequenceNumberRangeDto(string? StartingSequenceNumber, string? EndingSequenceNumber);

internal sealed record GetShardIteratorRequestDto(string StreamArn, string ShardId, string ShardIteratorType, string? SequenceNumber);

internal sealed record GetShardIteratorResponseDto(string? ShardIterator);

internal sealed record GetRecordsRequestDto(string ShardIterator, int Limit);
