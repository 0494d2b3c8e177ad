namespace Bridge.Host.Operator.Status;

/// <summary>One look at a running bridge: its lease table and its target stream, as read at <see cref="At"/>.</summary>
/// <param name="TargetStream">Null when no target was named (then <see cref="TargetShards"/> is empty).</param>
/// <param name="OtherItems">Items of the lease table that are not shard leases (another kind of lease, or a newer
/// version's): shown, never interpreted.</param>
/// <param name="Problems">What could not be read this time (a stream gone, a shard's position trimmed), one line each.</param>
/// <param name="LeaseDuration">The workers' <c>Bridge:Leases:Duration</c>: a lease unrenewed for longer is taken over.</param>
internal sealed record StatusSnapshot(
    DateTimeOffset At,
    TimeSpan LeaseDuration,
    string LeaseTable,
    string? TargetStream,
    IReadOnlyList<SourceShardStatus> Shards,
    IReadOnlyList<WorkerLeases> Workers,
    IReadOnlyList<TargetShardStatus> TargetShards,
    IReadOnlyList<OtherLeaseItem> OtherItems,
    IReadOnlyList<string> Problems)
{
    /// <summary>Merge mode's group lease (<c>Bridge:Ordering:Mode = Merge</c>): whichever worker holds it merges every
    /// source; the others stand by. Null when the bridge runs in Shard mode.</summary>
    public MergeGroupStatus? MergeGroup { get; init; }
}

/// <summary>Who holds Merge mode's group lease, and its counter (it moves with every renewal).</summary>
internal sealed record MergeGroupStatus(string? Owner, long LeaseCounter);

/// <summary>Where one source shard is.</summary>
/// <param name="Checkpoint">The stored checkpoint: a sequence number, SHARD_END, LATEST, or null when none yet.</param>
/// <param name="CheckpointAgeSeconds">Age of the change the checkpoint names (now minus its creation time): how old the
/// newest change known forwarded is. Null when the checkpoint names no record.</param>
/// <param name="BehindSeconds">Age of the oldest change after the checkpoint, 0 when there is none (caught up); null when not measured.</param>
/// <param name="LeaseUnchangedSeconds">With <c>--watch</c>: how long the lease counter has not moved, as this view saw it
/// (null on the first look); past the lease duration the owner is presumed gone and another worker takes the shard.</param>
internal sealed record SourceShardStatus(
    string Table,
    string StreamArn,
    string ShardId,
    string? ParentShardId,
    IReadOnlyList<string> ChildShardIds,
    ShardState State,
    string? Owner,
    string? PendingOwner,
    long LeaseCounter,
    string? Checkpoint,
    double? CheckpointAgeSeconds,
    double? BehindSeconds,
    double? LeaseUnchangedSeconds = null);

internal enum ShardState
{
    /// <summary>A worker holds the lease and the shard is not finished.</summary>
    Reading,

    /// <summary>Checkpointed at SHARD_END: every record forwarded; its children may start.</summary>
    Finished,

    /// <summary>A lease without an owner (new, or released): the next worker's cycle takes it.</summary>
    Unowned,

    /// <summary>An open shard of the stream that has no lease yet (found by the next discovery).</summary>
    NoLease,
}

internal sealed record WorkerLeases(string Worker, int Leases, int Reading);

internal sealed record TargetShardStatus(string ShardId, string? ParentShardId, bool Open, string StartingHashKey, string EndingHashKey);

internal sealed record OtherLeaseItem(string Key, IReadOnlyList<string> Attributes);
