namespace Bridge.Coordination;

/// <summary>How workers share the shards through leases, section <c>Bridge:Leases</c>. One worker simply takes every lease.</summary>
public sealed class LeaseOptions
{
    /// <summary>A lease not renewed for this long (by the observer's own clock) may be taken by another worker. Default 10 s.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often held leases are renewed and the table is scanned for work; default (unset) a third of <see cref="Duration"/>.</summary>
    public TimeSpan? RenewInterval { get; set; }

    /// <summary>This worker's id in <c>leaseOwner</c>; default host name, process id and a random suffix, unique per process.</summary>
    public string? WorkerId { get; set; }

    /// <summary>A finished (SHARD_END) lease whose children all have checkpoints is deleted after it stayed so this long. Default 5 min.</summary>
    public TimeSpan CleanupDelay { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan EffectiveRenewInterval => RenewInterval ?? Duration / 3;

    public string EffectiveWorkerId => string.IsNullOrWhiteSpace(WorkerId) ? DefaultWorkerId : WorkerId;

    /// <summary>Host name, process id and a random suffix: unique even for two processes with one pid in two containers.</summary>
    public static string DefaultWorkerId { get; } =
        $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
}
