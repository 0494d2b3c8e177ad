namespace Bridge.Aws.Kinesis;

/// <summary>A stream named by its name or its ARN (the ARN wins when both are known).</summary>
public readonly record struct KinesisStreamRef(string? Name, string? Arn)
{
    public static KinesisStreamRef FromName(string name) => new(name, null);

    public static KinesisStreamRef FromArn(string arn) => new(null, arn);

    /// <summary>An ARN (<c>arn:…</c>) or a plain stream name.</summary>
    public static KinesisStreamRef Parse(string nameOrArn) =>
        nameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? FromArn(nameOrArn) : FromName(nameOrArn);

    public override string ToString() => Arn ?? Name ?? "(none)";
}

public enum KinesisIteratorType
{
    TrimHorizon,
    Latest,
    AtSequenceNumber,
    AfterSequenceNumber,
}

/// <param name="StreamStatus">CREATING, DELETING, ACTIVE or UPDATING.</param>
/// <param name="MaxRecordSizeInKiB">Null when the service does not say (then 1024).</param>
public sealed record KinesisStreamSummary(string StreamName, string StreamArn, string StreamStatus, int OpenShardCount, int RetentionPeriodHours, int? MaxRecordSizeInKiB);

public sealed record KinesisShard(string ShardId, string? ParentShardId, string? AdjacentParentShardId, string StartingHashKey, string EndingHashKey, string? EndingSequenceNumber);

public sealed record ListShardsPage(IReadOnlyList<KinesisShard> Shards, string? NextToken);

/// <param name="Data">The record payload as bytes; base64 on the wire.</param>
public readonly record struct PutRecordsEntry(string PartitionKey, RecordData Data, string? ExplicitHashKey = null);

/// <summary>One entry of a PutRecords answer, in request order: acknowledged (<see cref="SequenceNumber"/> set) or failed (<see cref="ErrorCode"/> set).</summary>
public readonly record struct PutRecordsResultEntry(string? SequenceNumber, string? ShardId, string? ErrorCode, string? ErrorMessage)
{
    public bool Succeeded => ErrorCode is null;
}

public sealed record PutRecordsResult(int FailedRecordCount, PutRecordsResultEntry[] Records);

public sealed record PutRecordResult(string SequenceNumber, string ShardId);

public readonly record struct KinesisRecord(string SequenceNumber, string PartitionKey, ReadOnlyMemory<byte> Data, DateTimeOffset? ApproximateArrivalTimestamp);

public sealed record KinesisRecordsPage(KinesisRecord[] Records, string? NextShardIterator, long? MillisBehindLatest);
