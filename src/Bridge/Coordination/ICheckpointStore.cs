namespace Bridge.Coordination;

/// <summary>Durable per-shard checkpoints of one or more source streams.</summary>
public interface ICheckpointStore
{
    /// <summary>Creates the backing store if it does not exist yet.</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken);

    /// <summary>Every stored checkpoint of <paramref name="streamArn"/>, by shard id.</summary>
    Task<IReadOnlyDictionary<string, ShardCheckpoint>> LoadAsync(string streamArn, CancellationToken cancellationToken);

    Task SaveAsync(string streamArn, ShardCheckpoint checkpoint, CancellationToken cancellationToken);
}
