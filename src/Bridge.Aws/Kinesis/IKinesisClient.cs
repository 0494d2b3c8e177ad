namespace Bridge.Aws.Kinesis;

/// <summary>The Kinesis Data Streams API (JSON 1.1, target <c>Kinesis_20131202</c>).</summary>
/// <remarks>
/// Requests are validated against the service's published limits before anything is sent
/// (<see cref="Protocol.AwsRequestValidationException"/>). Whole-request throttling, 5xx, timeouts and
/// connection failures are retried inside the client; per-entry PutRecords failures are returned, not
/// thrown, because only the caller knows how to retry them without breaking per-key order.
/// </remarks>
public interface IKinesisClient
{
    Task CreateStreamAsync(string streamName, int? shardCount, CancellationToken cancellationToken);

    Task DeleteStreamAsync(string streamName, CancellationToken cancellationToken);

    Task<KinesisStreamSummary> DescribeStreamSummaryAsync(KinesisStreamRef stream, CancellationToken cancellationToken);

    /// <summary>One page of <c>ListShards</c>: pass <paramref name="nextToken"/> from the previous page, or null for the first.</summary>
    Task<ListShardsPage> ListShardsAsync(KinesisStreamRef stream, string? nextToken, CancellationToken cancellationToken);

    Task<PutRecordsResult> PutRecordsAsync(KinesisStreamRef stream, IReadOnlyList<PutRecordsEntry> entries, CancellationToken cancellationToken);

    Task<PutRecordResult> PutRecordAsync(KinesisStreamRef stream, PutRecordsEntry entry, CancellationToken cancellationToken);

    Task<string> GetShardIteratorAsync(KinesisStreamRef stream, string shardId, KinesisIteratorType type, string? sequenceNumber, CancellationToken cancellationToken);

    Task<KinesisRecordsPage> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken);

    /// <summary><c>UpdateShardCount</c> with <c>UNIFORM_SCALING</c>.</summary>
    Task UpdateShardCountAsync(KinesisStreamRef stream, int targetShardCount, CancellationToken cancellationToken);
}
