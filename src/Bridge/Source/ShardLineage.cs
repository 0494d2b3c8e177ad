using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Source;

/// <summary>The family tree of a stream's shards, and which of them may be read now.</summary>
/// <remarks>
/// A shard may start only when every record of its parent is forwarded, because a key's changes continue
/// in the child where the parent stopped:
/// <code>
///   shard A (closed) ──┬── shard B (open)      B and C wait until A is at SHARD_END and
///                      └── shard C (open)      all of A's records are acknowledged.
///   shard X (trimmed, no longer listed) ── shard Y: Y starts at once, from TRIM_HORIZON.
/// </code>
/// A shard is startable when it is neither started nor finished and its parent is absent, unknown
/// (trimmed from the stream) or finished. Not thread-safe: owned by one source forwarder.
/// </remarks>
public sealed class ShardLineage
{
    private readonly Dictionary<string, StreamShard> _shards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly HashSet<string> _started = new(StringComparer.Ordinal);

    public int Count => _shards.Count;

    /// <summary>Adds shards from a describe call; already known ones are updated (e.g. now closed).</summary>
    public void Observe(IEnumerable<StreamShard> shards)
    {
        foreach (var shard in shards)
        {
            _shards[shard.ShardId] = shard;
        }
    }

    /// <summary>The shard reached SHARD_END with every record acknowledged and checkpointed.</summary>
    public void MarkFinished(string shardId)
    {
        _finished.Add(shardId);
        _started.Remove(shardId);
    }

    /// <summary>A started shard stopped without finishing (shutdown, lost ownership): it may be started again.</summary>
    public void MarkStopped(string shardId) => _started.Remove(shardId);

    public bool IsFinished(string shardId) => _finished.Contains(shardId);

    public bool IsStarted(string shardId) => _started.Contains(shardId);

    /// <summary>Every known shard, parents listed before their children.</summary>
    public IReadOnlyList<StreamShard> ParentsFirst()
    {
        var ordered = new List<StreamShard>(_shards.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        void Place(StreamShard shard)
        {
            if (!placed.Add(shard.ShardId))
            {
                return;
            }

            if (shard.ParentShardId is { } parent && _shards.TryGetValue(parent, out var parentShard))
            {
                Place(parentShard);
            }

            ordered.Add(shard);
        }

        foreach (var shard in _shards.Values.OrderBy(s => s.ShardId, StringComparer.Ordinal))
        {
            Place(shard);
        }

        return ordered;
    }

    public StreamShard? Find(string shardId) => _shards.GetValueOrDefault(shardId);

    /// <summary>Returns the shards that may start now (and that <paramref name="held"/> accepts, e.g. this worker holds their lease), parents before children, and marks them started.</summary>
    public IReadOnlyList<StreamShard> TakeStartable(Func<StreamShard, bool>? held = null)
    {
        var startable = _shards.Values
            .Where(s => !_started.Contains(s.ShardId) && !_finished.Contains(s.ShardId) && ParentDone(s) && (held is null || held(s)))
            .OrderBy(s => s.ShardId, StringComparer.Ordinal)
            .ToList();
        foreach (var shard in startable)
        {
            _started.Add(shard.ShardId);
        }

        return startable;
    }

    /// <summary>True when the shard has no parent, its parent is finished, or its parent is no longer in the stream (trimmed).</summary>
    public bool ParentDone(StreamShard shard) =>
        shard.ParentShardId is not { } parent || _finished.Contains(parent) || !_shards.ContainsKey(parent);
}
