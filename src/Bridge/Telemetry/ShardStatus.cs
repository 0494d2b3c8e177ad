using Bridge.Source;

namespace Bridge.Telemetry;

/// <summary>What an operator needs to know about one running source shard: how far behind it is and whether it moves.</summary>
/// <remarks>Written by the shard's consumer and by the sink (acknowledgements); read by metrics and health. Plain
/// timestamps, each written by one side, so torn reads are impossible and staleness of one poll is harmless.</remarks>
public sealed class ShardStatus(SourceShard shard, DateTimeOffset startedAt)
{
    private long _lastReadTicks = startedAt.UtcTicks;
    private long _lastForwardedCreatedTicks;
    private long _lastCheckpointTicks = startedAt.UtcTicks;

    public SourceShard Shard { get; } = shard;

    /// <summary>Set when the shard is stopped on an undeliverable record (<c>OnUndeliverable=Block</c>).</summary>
    public string? BlockedReason { get; set; }

    public DateTimeOffset LastReadAt => new(Interlocked.Read(ref _lastReadTicks), TimeSpan.Zero);

    /// <summary><c>ApproximateCreationDateTime</c> of the newest acknowledged record, or null before the first.</summary>
    public DateTimeOffset? LastForwardedCreatedAt =>
        Interlocked.Read(ref _lastForwardedCreatedTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public DateTimeOffset LastCheckpointAt => new(Interlocked.Read(ref _lastCheckpointTicks), TimeSpan.Zero);

    public void OnRead(DateTimeOffset now) => Interlocked.Exchange(ref _lastReadTicks, now.UtcTicks);

    public void OnForwarded(DateTimeOffset createdAt)
    {
        var ticks = createdAt.UtcTicks;
        long seen;
        while ((seen = Interlocked.Read(ref _lastForwardedCreatedTicks)) < ticks &&
               Interlocked.CompareExchange(ref _lastForwardedCreatedTicks, ticks, seen) != seen)
        {
        }
    }

    public void OnCheckpoint(DateTimeOffset now) => Interlocked.Exchange(ref _lastCheckpointTicks, now.UtcTicks);
}
