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
/// Kept within 80 bytes, so the array of a 1000-record page stays under the large object heap's threshold.
/// </remarks>
public readonly record struct StreamRecord
{
    private readonly long _createdMilliseconds;
    private readonly int _sizeBytes;

    /// <param name="json">The record object (<c>{"eventID":…,"dynamodb":{…}}</c>) as UTF-8 JSON, unchanged.</param>
    /// <param name="sequenceNumber"><c>dynamodb.SequenceNumber</c>.</param>
    /// <param name="eventName">INSERT, MODIFY or REMOVE (interned).</param>
    /// <param name="approximateCreationDateTime"><c>dynamodb.ApproximateCreationDateTime</c> (epoch seconds on the wire), to the millisecond.</param>
    /// <param name="sizeBytes"><c>dynamodb.SizeBytes</c> (an item is at most 400 KB).</param>
    /// <param name="located">Where the record holds the attribute path the decoder was asked for, if any.</param>
    public StreamRecord(ReadOnlyMemory<byte> json, SequenceNumber sequenceNumber, string eventName, DateTimeOffset approximateCreationDateTime, long sizeBytes, AttributeLocation located = default)
    {
        Json = json;
        SequenceNumber = sequenceNumber;
        EventName = eventName;
        _createdMilliseconds = approximateCreationDateTime.ToUnixTimeMilliseconds();
        _sizeBytes = (int)Math.Clamp(sizeBytes, 0, int.MaxValue);
        Located = located;
    }

    public ReadOnlyMemory<byte> Json { get; }

    public SequenceNumber SequenceNumber { get; }

    public string EventName { get; }

    public DateTimeOffset ApproximateCreationDateTime => DateTimeOffset.FromUnixTimeMilliseconds(_createdMilliseconds);

    public long SizeBytes => _sizeBytes;

    /// <summary>Where the record holds the <see cref="AttributePath"/> given to the decoder (<see cref="AttributeOutcome.NotLocated"/> without one).</summary>
    public AttributeLocation Located { get; }
}
