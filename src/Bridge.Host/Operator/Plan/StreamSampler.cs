using System.Text;
using Amazon.DynamoDBv2;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Routing;

namespace Bridge.Host.Operator.Plan;

/// <summary>Measures a table's live write traffic from its stream, read-only: iterators at LATEST on every open shard,
/// GetRecords until the window ends, no checkpoint and no lease written anywhere.</summary>
/// <remarks>It is a second reader of each shard, next to a running bridge or Lambda (DynamoDB Streams allows two per
/// shard), and costs a GetRecords every 250 ms per shard while it runs.</remarks>
internal sealed class StreamSampler(IAmazonDynamoDB dynamoDb, IDynamoDbStreamsClient streams, TimeProvider time)
{
    public const int HottestKeysShown = 5;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public async Task<WorkloadSample> SampleAsync(string tableName, string keyAttribute, TimeSpan window, CancellationToken cancellationToken)
    {
        PartitionKeySelector selector;
        try
        {
            selector = new PartitionKeySelector(keyAttribute);
        }
        catch (ArgumentException e)
        {
            throw OperatorFailure.Input($"--key '{keyAttribute}': {e.Message}");
        }

        var streamArn = await StreamOfAsync(tableName, cancellationToken).ConfigureAwait(false);
        var description = await streams.DescribeAllShardsAsync(streamArn, cancellationToken).ConfigureAwait(false);
        var open = description.Shards.Where(s => s.EndingSequenceNumber is null).ToList();
        var tally = new Tally();
        var started = time.GetTimestamp();
        var iterators = await Task.WhenAll(open.Select(s => streams.GetShardIteratorAsync(streamArn, s.ShardId, ShardIteratorType.Latest, null, cancellationToken))).ConfigureAwait(false);
        var closed = await Task.WhenAll(iterators.Select(i => ReadUntilAsync(i, started, window, selector, tally, cancellationToken))).ConfigureAwait(false);
        var seconds = time.GetElapsedTime(started).TotalSeconds;
        return tally.ToSample(description.TableName ?? tableName, streamArn, keyAttribute, seconds, open.Count, closed.Count(c => c));
    }

    private async Task<string> StreamOfAsync(string tableName, CancellationToken cancellationToken)
    {
        Amazon.DynamoDBv2.Model.TableDescription table;
        try
        {
            table = (await dynamoDb.DescribeTableAsync(tableName, cancellationToken).ConfigureAwait(false)).Table;
        }
        catch (Amazon.DynamoDBv2.Model.ResourceNotFoundException)
        {
            throw OperatorFailure.Input($"table '{tableName}' does not exist.");
        }

        if (table.StreamSpecification?.StreamEnabled != true || string.IsNullOrEmpty(table.LatestStreamArn))
        {
            throw OperatorFailure.Input($"table '{tableName}' has no stream enabled: enable DynamoDB Streams (NEW_AND_OLD_IMAGES) to sample it.");
        }

        return table.LatestStreamArn;
    }

    /// <summary>Reads one shard until the window has passed, then once more so that what was written just before the
    /// end is counted. True when the shard closed in the window.</summary>
    private async Task<bool> ReadUntilAsync(string? iterator, long started, TimeSpan window, PartitionKeySelector selector, Tally tally, CancellationToken cancellationToken)
    {
        var last = false;
        while (iterator is not null)
        {
            last = time.GetElapsedTime(started) >= window;
            var page = await streams.GetRecordsAsync(iterator, 1000, selector.Path, cancellationToken).ConfigureAwait(false);
            foreach (var record in page.Records)
            {
                tally.Add(record, selector.Select(record));
            }

            iterator = page.NextShardIterator;
            if (last)
            {
                return false;
            }

            if (page.Records.Length < 1000)
            {
                var remaining = window - time.GetElapsedTime(started);
                var wait = remaining < PollInterval ? remaining : PollInterval;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return true;
    }

    /// <summary>Counts shared by the shards' readers; they add under its lock.</summary>
    private sealed class Tally
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, long> _keys = new(StringComparer.Ordinal);
        private long _records;
        private long _recordBytes;
        private long _itemBytes;
        private long _keyBytes;
        private long _withoutKey;

        public void Add(in StreamRecord record, KeySelection key)
        {
            lock (_lock)
            {
                _records++;
                _recordBytes += record.Json.Length;
                _itemBytes += record.SizeBytes;
                if (key.Status == KeySelectionStatus.Selected && key.Key is { } k)
                {
                    _keyBytes += Encoding.UTF8.GetByteCount(k);
                    _keys[k] = _keys.GetValueOrDefault(k) + 1;
                }
                else
                {
                    _withoutKey++;
                }
            }
        }

        public WorkloadSample ToSample(string table, string streamArn, string key, double seconds, int openShards, int closed)
        {
            lock (_lock)
            {
                var hottest = _keys.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal)
                    .Take(HottestKeysShown).Select(k => new KeyCount(k.Key, k.Value)).ToList();
                return new WorkloadSample(table, streamArn, key, seconds, openShards, _records, _recordBytes, _itemBytes, _keyBytes, _withoutKey, _keys.Count, hottest, closed);
            }
        }
    }
}
