using Bridge.Source;

namespace Bridge.Telemetry;

/// <summary>What an operator needs to know about one running source shard: how far behind it is and whether it moves.</summary>
/// <remarks>Written by the shard's consumer and by the sink (acknowledgements); read by metrics and health. Plain
/// timestamps and flags, each written by one side, so torn reads are impossible and staleness of one poll is harmless.</remarks>
public sealed class ShardStatus(SourceShard shard, DateTimeOffset startedAt)
{
    private long _lastReadTicks = startedAt.UtcTicks;
    private long _lastForwardedCreatedTicks;
    private long _lastCheckpointTicks = startedAt.UtcTicks;
    private long _lastAckTicks = startedAt.UtcTicks;
    private bool _hasRead;
    private bool _caughtUp;
    private int _readFailures;
    private string? _lastReadError;

    public SourceShard Shard { get; } = shard;

    /// <summary>Set when the shard is stopped on an undeliverable record (<c>OnUndeliverable=Block</c>).</summary>
    public string? BlockedReason { get; set; }

    /// <summary>Set by the first successful read; a shard that never read proves nothing about the source yet.</summary>
    public bool HasRead => Volatile.Read(ref _hasRead);

    /// <summary>Failed reads since the last successful one; 0 while the source answers.</summary>
    public int ConsecutiveReadFailures => Volatile.Read(ref _readFailures);

    /// <summary>The error of the last failed read, or null once a read succeeded again.</summary>
    public string? LastReadError => Volatile.Read(ref _lastReadError);

    /// <summary>When the last successful read (GetShardIterator + GetRecords) returned, or when the shard started.</summary>
    public DateTimeOffset LastReadAt => new(Interlocked.Read(ref _lastReadTicks), TimeSpan.Zero);

    /// <summary><c>ApproximateCreationDateTime</c> of the newest acknowledged record, or null before the first.</summary>
    public DateTimeOffset? LastForwardedCreatedAt =>
        Interlocked.Read(ref _lastForwardedCreatedTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public DateTimeOffset LastCheckpointAt => new(Interlocked.Read(ref _lastCheckpointTicks), TimeSpan.Zero);

    /// <summary>True while the last read found nothing new and nothing of the shard waited for Kinesis: the bridge
    /// is at the tip, so its lag is 0 however old the last forwarded change is (a quiet table is not a late one).</summary>
    public bool CaughtUp => Volatile.Read(ref _caughtUp);

    /// <param name="caughtUp">The read returned no records and nothing of this shard is in flight.</param>
    public void OnRead(DateTimeOffset now, bool caughtUp = false)
    {
        Interlocked.Exchange(ref _lastReadTicks, now.UtcTicks);
        Volatile.Write(ref _caughtUp, caughtUp);
        Volatile.Write(ref _hasRead, true);
        Volatile.Write(ref _readFailures, 0);
        Volatile.Write(ref _lastReadError, null);
    }

    /// <returns>The number of failures in a row, this one included.</returns>
    public int OnReadFailed(string error)
    {
        Volatile.Write(ref _lastReadError, error);
        return Interlocked.Increment(ref _readFailures);
    }

    /// <summary>When Kinesis last acknowledged one of this shard's records, or when the shard started.</summary>
    public DateTimeOffset LastAcknowledgedAt => new(Interlocked.Read(ref _lastAckTicks), TimeSpan.Zero);

    /// <summary>The later of the last successful read and the last acknowledgement: a shard held back by a slow sink
    /// still moves, one whose source or sink is gone does not.</summary>
    public DateTimeOffset LastProgressAt => LastReadAt > LastAcknowledgedAt ? LastReadAt : LastAcknowledgedAt;

    public void OnForwarded(DateTimeOffset createdAt, DateTimeOffset now)
    {
        Interlocked.Exchange(ref _lastAckTicks, now.UtcTicks);
        var ticks = createdAt.UtcTicks;
        long seen;
        while ((seen = Interlocked.Read(ref _lastForwardedCreatedTicks)) < ticks &&
               Interlocked.CompareExchange(ref _lastForwardedCreatedTicks, ticks, seen) != seen)
        {
        }
    }

    public void OnCheckpoint(DateTimeOffset now) => Interlocked.Exchange(ref _lastCheckpointTicks, now.UtcTicks);
}
