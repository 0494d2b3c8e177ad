namespace Bridge.Aws.Protocol;

/// <summary>Exponential backoff with full jitter: the wait before retry <c>n</c> is uniform in
/// <c>[0, min(MaxDelay, BaseDelay·2ⁿ⁻¹)]</c>.</summary>
/// <remarks>Full jitter spreads many clients that were throttled together, so they do not come back in lockstep.</remarks>
/// <param name="NextUnitInterval">Returns a value in [0, 1); injected so tests can pin the jitter.</param>
public sealed record Backoff(TimeSpan BaseDelay, TimeSpan MaxDelay, Func<double> NextUnitInterval)
{
    public static readonly Func<double> SharedRandom = Random.Shared.NextDouble;

    /// <param name="retry">1 for the wait after the first failed attempt.</param>
    public TimeSpan DelayBefore(int retry)
    {
        // Capping the exponent keeps the double finite; the cap on the delay does the real limiting.
        var ceiling = Math.Min(MaxDelay.Ticks, BaseDelay.Ticks * Math.Pow(2, Math.Min(retry - 1, 30)));
        return TimeSpan.FromTicks((long)(ceiling * NextUnitInterval()));
    }
}
