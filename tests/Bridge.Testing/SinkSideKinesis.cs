using Bridge.Aws.Kinesis;

namespace Bridge.Testing;

/// <summary>Base of in-memory Kinesis fakes that play the bridge's target: only the calls its sink makes are answered.</summary>
public abstract class SinkSideKinesis : IKinesisClient
{
    public abstract Task<PutRecordsResult> PutRecordsAsync(KinesisStreamRef stream, IReadOnlyList<PutRecordsEntry> entries, CancellationToken cancellationToken);

    public abstract Task<ListShardsPage> ListShardsAsync(KinesisStreamRef stream, string? nextToken, CancellationToken cancellationToken);

    public abstract Task<KinesisStreamSummary> DescribeStreamSummaryAsync(KinesisStreamRef stream, CancellationToken cancellationToken);

    public Task CreateStreamAsync(string streamName, int? shardCount, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task DeleteStreamAsync(string streamName, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<PutRecordResult> PutRecordAsync(KinesisStreamRef stream, PutRecordsEntry entry, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<string> GetShardIteratorAsync(KinesisStreamRef stream, string shardId, KinesisIteratorType type, string? sequenceNumber, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<KinesisRecordsPage> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task UpdateShardCountAsync(KinesisStreamRef stream, int targetShardCount, CancellationToken cancellationToken) => throw new NotSupportedException();
}
