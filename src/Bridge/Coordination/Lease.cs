namespace Bridge.Coordination;

/// <summary>One source shard's lease as stored: who works on it, how far it got, and its optimistic-locking counter.</summary>
/// <remarks>
/// The owner bumps <see cref="Counter"/> on every renewal and every checkpoint, and every write is conditional
/// on the counter it last saw, so a worker that lost the lease (paused, partitioned) can no longer write.
/// Other workers never read a time from the item: they measure expiry with their own clock from when they
/// last saw the counter change (see <see cref="LeaseCoordinator"/>).
/// </remarks>
/// <param name="LeaseKey"><c>streamArn|shardId</c>, the item's key.</param>
/// <param name="Owner">Worker id of the holder; null when unowned (new, or released on graceful shutdown).</param>
/// <param name="Checkpoint">How far the shard was forwarded; null when nothing was checkpointed yet (start at the configured position).</param>
/// <param name="PendingOwner">A worker that asked the holder to hand the lease over (balancing); null otherwise.</param>
public sealed record Lease(
    string LeaseKey,
    string StreamArn,
    string ShardId,
    string? ParentShardId,
    string? Owner,
    long Counter,
    Checkpoint? Checkpoint,
    string? PendingOwner = null)
{
    /// <summary>The shard is at SHARD_END with every record forwarded: its children may start, and nobody takes it again.</summary>
    public bool IsFinished => Checkpoint?.Kind == CheckpointKind.ShardEnd;

    /// <summary>The table of the stream (<c>arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL</c>), for metrics and logs.</summary>
    public string TableName => Source.DynamoDbStreamArn.TryGetTableName(StreamArn, out var table) ? table : StreamArn;

    public static string KeyOf(string streamArn, string shardId) => $"{streamArn}|{shardId}";

    /// <summary>A new, unowned lease for a shard.</summary>
    public static Lease New(string streamArn, string shardId, string? parentShardId, Checkpoint? checkpoint = null) =>
        new(KeyOf(streamArn, shardId), streamArn, shardId, parentShardId, Owner: null, Counter: 0, checkpoint);
}
