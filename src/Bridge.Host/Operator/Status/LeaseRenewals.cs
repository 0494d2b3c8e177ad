namespace Bridge.Host.Operator.Status;

/// <summary>Across the refreshes of a watch, how long each held lease's counter has stood still: a worker that crashed
/// or froze stops renewing, and other workers take its leases only once the counter has not moved for a lease
/// duration. One look cannot tell that; a watch can, measured with this process's own clock as the workers do.</summary>
internal sealed class LeaseRenewals(TimeProvider time)
{
    /// <summary>Per lease (stream ARN, shard id): the counter last seen and when it was first seen at that value.</summary>
    private readonly Dictionary<(string StreamArn, string ShardId), (long Counter, long Since)> _seen = [];

    /// <summary>The snapshot with <see cref="SourceShardStatus.LeaseUnchangedSeconds"/> filled for owned leases seen before.</summary>
    public StatusSnapshot Observe(StatusSnapshot snapshot)
    {
        var now = time.GetTimestamp();
        var rows = snapshot.Shards.Select(row =>
        {
            var key = (row.StreamArn, row.ShardId);
            if (row.Owner is null)
            {
                _seen.Remove(key);
                return row;
            }

            var known = _seen.TryGetValue(key, out var seen);
            if (!known || seen.Counter != row.LeaseCounter)
            {
                _seen[key] = (row.LeaseCounter, now);
                return row with { LeaseUnchangedSeconds = known ? 0 : null };
            }

            return row with { LeaseUnchangedSeconds = time.GetElapsedTime(seen.Since, now).TotalSeconds };
        }).ToList();
        return snapshot with { Shards = rows };
    }
}
