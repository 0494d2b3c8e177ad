using System.Text.Json.Serialization;

namespace Bridge.Aws.Kinesis;

// Wire shapes of the Kinesis API, named as in its model; only the fields the client reads or writes.
// PutRecords' request has no DTO: PutRecordsBody writes it straight into a pooled buffer.

internal sealed record StreamModeDetailsDto(string StreamMode);

internal sealed record CreateStreamRequestDto(string StreamName, int? ShardCount, StreamModeDetailsDto? StreamModeDetails);

internal sealed record DeleteStreamRequestDto(string StreamName, bool EnforceConsumerDeletion);

internal sealed record StreamRefDto(
    string? StreamName,
    [property: JsonPropertyName("StreamARN")] string? StreamArn);

internal sealed record DescribeStreamSummaryResponseDto(StreamDescriptionSummaryDto StreamDescriptionSummary);

internal sealed record StreamDescriptionSummaryDto(
    string StreamName,
    [property: JsonPropertyName("StreamARN")] string StreamArn,
    string StreamStatus,
    int OpenShardCount,
    int RetentionPeriodHours,
    [property: JsonPropertyName("MaxRecordSizeInKiB")] int? MaxRecordSizeInKiB);

internal sealed record ListShardsRequestDto(
    string? StreamName,
    [property: JsonPropertyName("StreamARN")] string? StreamArn,
    string? NextToken);

internal sealed record ListShardsResponseDto(List<ShardDto>? Shards, string? NextToken);

internal sealed record ShardDto(
    string ShardId,
    string? ParentShardId,
    string? AdjacentParentShardId,
    HashKeyRangeDto HashKeyRange,
    SequenceNumberRangeDto? SequenceNumberRange);

internal sealed record HashKeyRangeDto(string StartingHashKey, string EndingHashKey);

internal sealed record SequenceNumberRangeDto(string? StartingSequenceNumber, string? EndingSequenceNumber);

internal sealed record PutRecordsResponseDto(int FailedRecordCount, List<PutRecordsResultEntryDto>? Records);

internal sealed record PutRecordsResultEntryDto(string? SequenceNumber, string? ShardId, string? ErrorCode, string? ErrorMessage);

internal sealed record PutRecordRequestDto(
    string? StreamName,
    [property: JsonPropertyName("StreamARN")] string? StreamArn,
    string PartitionKey,
    ReadOnlyMemory<byte> Data,
    string? ExplicitHashKey);

internal sealed record PutRecordResponseDto(string SequenceNumber, string ShardId);

internal sealed record GetShardIteratorRequestDto(
    string? StreamName,
    [property: JsonPropertyName("StreamARN")] string? StreamArn,
    string ShardId,
    string ShardIteratorType,
    string? StartingSequenceNumber);

internal sealed record GetShardIteratorResponseDto(string? ShardIterator);

internal sealed record GetRecordsRequestDto(string ShardIterator, int Limit);

internal sealed record GetRecordsResponseDto(List<RecordDto>? Records, string? NextShardIterator, long? MillisBehindLatest);

internal sealed record RecordDto(string SequenceNumber, string PartitionKey, byte[] Data, double? ApproximateArrivalTimestamp);

internal sealed record UpdateShardCountRequestDto(
    string? StreamName,
    [property: JsonPropertyName("StreamARN")] string? StreamArn,
    int TargetShardCount,
    string ScalingType);
