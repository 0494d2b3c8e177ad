using Bridge.Aws.DynamoDbStreams;
using Bridge.Source;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Coordination;

/// <summary>Writes one shard's checkpoint: never past what Kinesis acknowledged, never backwards, not too often.</summary>
/// <remarks>
/// Used only by the shard's consumer, so writes of one shard never race each other. Every write goes through
/// the shard's <see cref="HeldLease"/> and is fenced by its owner and counter: once the lease is lost, no write
/// succeeds and <see cref="HeldLease.IsLost"/> tells the consumer to stop without retrying.
/// </remarks>
public sealed partial class ShardCheckpointer(
    HeldLease lease,
    SourceShard shard,
    ShardProgress progress,
    CheckpointOptions options,
    TimeProvider time,
    ILogger logger,
    ShardStatus status)
{
    private SequenceNumber _written;
    private long _writtenCount;
    private DateTimeOffset _writtenAt = time.GetUtcNow();

    /// <summary>Writes when enough records or time passed since the last write; a failure is logged and retried next time.</summary>
    public async Task MaybeCheckpointAsync(CancellationToken cancellationToken)
    {
        var due = progress.AcknowledgedCount - _writtenCount >= options.EveryRecords || time.GetUtcNow() - _writtenAt >= options.Interval;
        if (due)
        {
            await TryCheckpointAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the acknowledged position if it moved; returns false (logged) when the store failed or the lease is lost.</summary>
    public async Task<bool> TryCheckpointAsync(CancellationToken cancellationToken)
    {
        var acked = progress.AckedThrough;
        var count = progress.AcknowledgedCount;
        if (acked.IsEmpty || (!_written.IsEmpty && acked <= _written))
        {
            _writtenAt = time.GetUtcNow();
            return true;
        }

        try
        {
            if (!await lease.TryCheckpointAsync(Checkpoint.After(acked), cancellationToken).ConfigureAwait(false))
            {
                LogFenced(shard.TableName, shard.ShardId, Checkpoint.After(acked));
                return false;
            }
        }
        catch (Exception ex) when (TransientFailure.Is(ex, cancellationToken))
        {
            LogCheckpointFailed(shard.TableName, shard.ShardId, Checkpoint.After(acked), ex.Message);
            return false;
        }

        _written = acked;
        _writtenCount = count;
        _writtenAt = time.GetUtcNow();
        status.OnCheckpoint(_writtenAt);
        LogCheckpointed(shard.TableName, shard.ShardId, acked);
        return true;
    }

    /// <summary>Records SHARD_END, retrying until it is stored: the shard's children cannot start before it is.</summary>
    /// <returns>False when the lease was lost first: the new owner finishes the shard.</returns>
    public async Task<bool> CheckpointShardEndAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (!await lease.TryCheckpointAsync(Checkpoint.ShardEnd, cancellationToken).ConfigureAwait(false))
                {
                    LogFenced(shard.TableName, shard.ShardId, Checkpoint.ShardEnd);
                    return false;
                }

                status.OnCheckpoint(time.GetUtcNow());
                LogShardEnd(shard.TableName, shard.ShardId);
                return true;
            }
            catch (Exception ex) when (TransientFailure.Is(ex, cancellationToken))
            {
                LogCheckpointFailed(shard.TableName, shard.ShardId, Checkpoint.ShardEnd, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Checkpointed {Table}/{ShardId} at {SequenceNumber}")]
    private partial void LogCheckpointed(string table, string shardId, SequenceNumber sequenceNumber);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Shard {Table}/{ShardId} finished: SHARD_END checkpointed")]
    private partial void LogShardEnd(string table, string shardId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Checkpoint of {Table}/{ShardId} at {SequenceNumber} failed: {Error}; a crash now would re-send more records")]
    private partial void LogCheckpointFailed(string table, string shardId, Checkpoint sequenceNumber, string error);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Checkpoint of {Table}/{ShardId} at {SequenceNumber} refused: the lease is lost; the shard stops here and its new owner continues from the last checkpoint")]
    private partial void LogFenced(string table, string shardId, Checkpoint sequenceNumber);
}
