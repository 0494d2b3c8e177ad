using Bridge.Coordination;

namespace Bridge.Tests.Fakes;

/// <summary>Checkpoints in memory; <see cref="Crash"/> makes later writes vanish, as they would with a dead process.</summary>
internal sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Stream, string Shard), ShardCheckpoint> _items = [];
    private bool _crashed;

    public int Writes { get; private set; }

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyDictionary<string, ShardCheckpoint>> LoadAsync(string streamArn, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyDictionary<string, ShardCheckpoint> result = _items.Where(i => i.Key.Stream == streamArn).ToDictionary(i => i.Key.Shard, i => i.Value);
            return Task.FromResult(result);
        }
    }

    public Task SaveAsync(string streamArn, ShardCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_crashed)
            {
                Writes++;
                _items[(streamArn, checkpoint.ShardId)] = checkpoint;
            }
        }

        return Task.CompletedTask;
    }

    public ShardCheckpoint? Get(string streamArn, string shardId)
    {
        lock (_lock)
        {
            return _items.GetValueOrDefault((streamArn, shardId));
        }
    }

    /// <summary>From now on writes are lost, until <see cref="Restart"/>.</summary>
    public void Crash()
    {
        lock (_lock)
        {
            _crashed = true;
        }
    }

    public void Restart()
    {
        lock (_lock)
        {
            _crashed = false;
        }
    }
}
