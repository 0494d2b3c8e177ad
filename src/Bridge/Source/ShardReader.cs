using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Protocol;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Source;

/// <summary>Reads one source shard page by page, in order, from its start position to SHARD_END.</summary>
/// <remarks>
/// Owns the shard iterator: renews it after expiry right after the last record read, and turns the two
/// ways the source can have lost data (trimmed records, a vanished shard) into logged, counted events
/// instead of stalls. Paces calls by what the last page says about the shard: a page at one of GetRecords' caps
/// means records are waiting, so the next call goes out at once; a shorter page means the reader has caught up, so
/// it polls at <see cref="ReaderOptions.MinPollInterval"/>, and at <see cref="ReaderOptions.IdlePollInterval"/> while
/// the shard is quiet.
/// </remarks>
public sealed partial class ShardReader(
    IDynamoDbStreamsClient client,
    SourceShard shard,
    ShardStartPosition start,
    ReaderOptions options,
    TimeProvider time,
    ILogger logger,
    BridgeMetrics metrics,
    AttributePath? locate = null)
{
    /// <summary>GetRecords returns at most 1 MB per call.</summary>
    private const long MaxPageBytes = 1024 * 1024;

    /// <summary>DynamoDB's largest item.</summary>
    private const long MaxItemBytes = 400 * 1024;

    private ShardStartPosition _start = start;

    /// <summary>Null until first needed, and again after it expired or was found trimmed.</summary>
    private string? _iterator;

    /// <summary>The last record returned; empty before the first.</summary>
    private SequenceNumber _lastRead;

    /// <summary>When the next GetRecords may go out: the last call's start while the shard has a backlog, later once it
    /// has caught up or is quiet, or after an iterator had to be renewed.</summary>
    private DateTimeOffset _nextCallAt = time.GetUtcNow();

    public SourceShard Shard => shard;

    /// <summary>Waits for the pacing, then returns the next page (possibly empty), or <see cref="ShardPage.End"/> once the shard is closed and fully read.</summary>
    public async Task<ShardPage> ReadAsync(CancellationToken cancellationToken)
    {
        var wait = _nextCallAt - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }

        _iterator ??= await GetIteratorAsync(cancellationToken).ConfigureAwait(false);
        if (_iterator is null)
        {
            return Pause(ShardPage.Empty, options.IdlePollInterval);
        }

        if (_iterator.Length == 0)
        {
            return ShardPage.End;
        }

        var calledAt = time.GetUtcNow();
        GetRecordsPage page;
        try
        {
            page = await client.GetRecordsAsync(_iterator, options.BatchSize, locate, cancellationToken).ConfigureAwait(false);
        }
        catch (ExpiredIteratorException)
        {
            LogIteratorExpired(shard.TableName, shard.ShardId, _lastRead.IsEmpty ? _start.ToString() : _lastRead.ToString());
            _iterator = null;
            return Pause(ShardPage.Empty, TimeSpan.Zero);
        }
        catch (TrimmedDataAccessException) when (NothingWrittenYet())
        {
            _iterator = null;
            return Pause(ShardPage.Tip, options.IdlePollInterval);
        }
        catch (TrimmedDataAccessException)
        {
            OnTrimmed();
            return Pause(ShardPage.Empty, TimeSpan.Zero);
        }

        var records = DropAlreadyRead(page.Records);
        if (records.Length > 0)
        {
            _lastRead = records[^1].SequenceNumber;
        }

        _iterator = page.NextShardIterator;
        if (_iterator is null)
        {
            return new ShardPage(records, IsEnd: true);
        }

        if (page.Records.Length > 0)
        {
            // DynamoDB Streams limits readers per shard (two at once), not calls per second, and bills a call per
            // read request unit whatever it returns: back-to-back full pages cost nothing extra per record, while
            // polling a trickling shard fast would. The gap counts from this call's start, so a trickling shard is
            // asked every MinPollInterval, not every MinPollInterval plus the call's latency.
            _nextCallAt = IsAtCap(page.Records) ? calledAt : calledAt + options.MinPollInterval;
            return new ShardPage(records, IsEnd: false);
        }

        return Pause(ShardPage.Tip, options.IdlePollInterval);
    }

    /// <summary>Whether GetRecords stopped at one of its caps (the records asked for, or 1 MB), so that more records
    /// may be waiting right behind the page.</summary>
    /// <remarks>The bytes are the records' JSON as received, an estimate of what the service counts. The threshold
    /// leaves room for one item of DynamoDB's 400 KB maximum: a page further below 1 MB than that was not cut because
    /// the next record did not fit. A record carrying both images of large items can be bigger; a page cut short by
    /// one only waits <see cref="ReaderOptions.MinPollInterval"/> once, which costs latency, not records.</remarks>
    private bool IsAtCap(StreamRecord[] records)
    {
        if (records.Length >= options.BatchSize)
        {
            return true;
        }

        long bytes = 0;
        foreach (var record in records)
        {
            bytes += record.Json.Length;
        }

        return bytes >= MaxPageBytes - MaxItemBytes;
    }

    private ShardPage Pause(ShardPage page, TimeSpan wait)
    {
        _nextCallAt = time.GetUtcNow() + wait;
        return page;
    }

    /// <summary>An iterator for the next unread record; null when the shard has nothing yet, empty when the shard no longer exists.</summary>
    private async Task<string?> GetIteratorAsync(CancellationToken cancellationToken)
    {
        var position = _lastRead.IsEmpty ? _start : ShardStartPosition.After(_lastRead);
        try
        {
            return await client.GetShardIteratorAsync(shard.StreamArn, shard.ShardId, TypeOf(position), SequenceOf(position), cancellationToken).ConfigureAwait(false);
        }
        catch (TrimmedDataAccessException) when (NothingWrittenYet())
        {
            return null;
        }
        catch (TrimmedDataAccessException)
        {
            OnTrimmed();
            return await client.GetShardIteratorAsync(shard.StreamArn, shard.ShardId, ShardIteratorType.TrimHorizon, null, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException)
        {
            // The whole shard aged out of the stream before it was read: its records are gone, and
            // treating it as ended is the only way its children ever start.
            LogShardVanished(shard.TableName, shard.ShardId, position.ToString());
            metrics.Trimmed(shard);
            return string.Empty;
        }
    }

    /// <summary>
    /// DynamoDB Local answers TrimmedDataAccessException for a TRIM_HORIZON read of a stream nothing was
    /// written to yet; the real service never trims at the trim horizon itself, so reading from there with
    /// nothing read yet cannot have lost anything.
    /// </summary>
    private bool NothingWrittenYet() => _lastRead.IsEmpty && _start.Kind == ShardStartKind.TrimHorizon;

    private void OnTrimmed()
    {
        LogTrimmed(shard.TableName, shard.ShardId, _lastRead.IsEmpty ? _start.ToString() : $"after {_lastRead}");
        metrics.Trimmed(shard);
        _start = ShardStartPosition.TrimHorizon;
        _iterator = null;
    }

    /// <summary>After falling back to TRIM_HORIZON, defends against re-reading records already returned.</summary>
    private StreamRecord[] DropAlreadyRead(StreamRecord[] records)
    {
        if (_lastRead.IsEmpty || records.Length == 0 || records[0].SequenceNumber > _lastRead)
        {
            return records;
        }

        return [.. records.Where(r => r.SequenceNumber > _lastRead)];
    }

    private static ShardIteratorType TypeOf(ShardStartPosition position) => position.Kind switch
    {
        ShardStartKind.TrimHorizon => ShardIteratorType.TrimHorizon,
        ShardStartKind.Latest => ShardIteratorType.Latest,
        _ => ShardIteratorType.AfterSequenceNumber,
    };

    private static string? SequenceOf(ShardStartPosition position) =>
        position.Kind == ShardStartKind.AfterSequence ? position.Sequence.Value : null;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Shard iterator of {Table}/{ShardId} expired; renewing from {Position}")]
    private partial void LogIteratorExpired(string table, string shardId, string position);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "DATA LOST AT SOURCE: records of {Table}/{ShardId} from {Position} up to the trim horizon were trimmed before they could be read; continuing from TRIM_HORIZON")]
    private partial void LogTrimmed(string table, string shardId, string position);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "DATA LOST AT SOURCE: shard {Table}/{ShardId} no longer exists (unread from {Position}); treating it as ended so its children start")]
    private partial void LogShardVanished(string table, string shardId, string position);
}

/// <summary>One read of a shard: its records in order, whether the shard ended with them, and whether the read found
/// the shard at its tip (a GetRecords call answered nothing new), which an empty page alone does not say: an expired
/// iterator or a trim also gives one.</summary>
public readonly record struct ShardPage(StreamRecord[] Records, bool IsEnd, bool AtTip = false)
{
    public static ShardPage Empty { get; } = new([], false);

    public static ShardPage End { get; } = new([], true);

    public static ShardPage Tip { get; } = new([], false, AtTip: true);
}
