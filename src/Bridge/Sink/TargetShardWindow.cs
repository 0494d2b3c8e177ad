namespace Bridge.Sink;

/// <summary>How many entries may be in flight to one target shard: additive increase, multiplicative decrease.</summary>
/// <remarks>
/// Throttling is per target shard, so each shard gets its own window: a hot shard that throttles shrinks
/// only its own window and the other shards keep their pace. Guarded by the sink's lock.
/// </remarks>
internal sealed class TargetShardWindow(SinkOptions options)
{
    private double _limit = options.InitialShardWindow;

    public int InFlight { get; private set; }

    public int Limit => Math.Max(1, (int)_limit);

    public bool IsFull => InFlight >= Limit;

    /// <summary>Counts one more entry in flight; the caller checked <see cref="IsFull"/>.</summary>
    public void Reserve() => InFlight++;

    // Clamped: after a resharding the windows are new and may see releases of entries they never reserved.
    public void Release() => InFlight = Math.Max(0, InFlight - 1);

    public void OnThrottled() => _limit = Math.Max(options.MinShardWindow, _limit * 0.5);

    public void OnDelivered() => _limit = Math.Min(options.MaxShardWindow, _limit + options.ShardWindowIncrease);
}
