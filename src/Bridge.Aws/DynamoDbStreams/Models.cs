namespace Bridge.Aws.DynamoDbStreams;

public enum ShardIteratorType
{
    TrimHorizon,
    Latest,
    AtSequenceNumber,
    AfterSequenceNumber,
}

public sealed record StreamSummary(string StreamArn, string TableName, string? StreamLabel);

public sealed record ListStreamsPage(IReadOnlyList<StreamSummary> Streams, string? LastEvaluatedStreamArn);

/// <param name="ChildShardsOf">When set, asks only for the children of this shard (<c>ShardFilter</c> type <c>CHILD_SHARDS</c>).</param>
public sealed record DescribeStreamRequest(string StreamArn, string? ExclusiveStartShardId = null, int? Limit = null, string? ChildShardsOf = null);

/// <param name="StreamStatus">ENABLING, ENABLED, DISABLING or DISABLED.</param>
/// <param name="LastEvaluatedShardId">Non-null when more pages follow.</param>
public sealed record StreamDescription(
    string StreamArn,
    string? TableName,
    string StreamStatus,
    string? StreamViewType,
    IReadOnlyList<StreamShard> Shards,
    string? LastEvaluatedShardId);

/// <param name="EndingSequenceNumber">Null while the shard is open; set once it is closed.</param>
public sealed record StreamShard(string ShardId, string? ParentShardId, string? StartingSequenceNumber, string? EndingSequenceNumber);

/// <param name="NextShardIterator">Null once the shard is closed and every record was returned (SHARD_END).</param>
public sealed record GetRecordsPage(StreamRecord[] Records, string? NextShardIterator);

/// <summary>One DynamoDB stream record, kept as the exact JSON the service sent.</summary>
/// <remarks>
/// The decoder reads only the fields the engine needs and keeps <see cref="Json"/> as a slice of the
/// response buffer, so forwarding a record never re-serialises it and costs no per-field allocation.
/// </remarks>
/// <param name="Json">The record object (<c>{"eventID":…,"dynamodb":{…}}</c>) as UTF-8 JSON, unchanged.</param>
/// <param name="SequenceNumber"><c>dynamodb.SequenceNumber</c>: decimal digits.</param>
/// <param name="EventName">INSERT, MODIFY or REMOVE (interned).</param>
/// <param name="ApproximateCreationDateTime"><c>dynamodb.ApproximateCreationDateTime</c> (epoch seconds on the wire).</param>
/// <param name="SizeBytes"><c>dynamodb.SizeBytes</c>.</param>
public readonly record struct StreamRecord(
    ReadOnlyMemory<byte> Json,
    string SequenceNumber,
    string EventName,
    DateTimeOffset ApproximateCreationDateTime,
    long SizeBytes);
