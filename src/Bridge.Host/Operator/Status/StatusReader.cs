using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Coordination;
using Bridge.Source;

namespace Bridge.Host.Operator.Status;

/// <summary>Reads a <see cref="StatusSnapshot"/>: a scan of the lease table, DescribeStream of each source stream, two
/// one-record reads per reading shard (at and after its checkpoint, for the ages), ListShards of the target. Nothing is written.</summary>
/// <remarks>The one-record reads make it a second reader of each shard for a moment, next to the worker (DynamoDB
/// Streams allows two per shard); each is a billed GetRecords.</remarks>
internal sealed class StatusReader(IAmazonDynamoDB dynamoDb, IDynamoDbStreamsClient streams, IKinesisClient kinesis, TimeProvider time)
{
    private const string LeaseKeyAttribute = "leaseKey";
    private const int ConcurrentReads = 8;

    public async Task<StatusSnapshot> ReadAsync(string leaseTable, string? targetStream, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var items = await ScanAsync(leaseTable, cancellationToken).ConfigureAwait(false);
        var leases = new List<Lease>();
        var others = new List<OtherLeaseItem>();
        MergeGroupStatus? group = null;
        foreach (var item in items)
        {
            if (DynamoDbLeaseStore.TryParseShardLease(item) is { } lease)
            {
                if (lease.StreamArn == Ordering.MergeGroup.StreamArn)
                {
                    group = new MergeGroupStatus(lease.Owner, lease.Counter);
                }
                else
                {
                    leases.Add(lease);
                }
            }
            else
            {
                others.Add(new OtherLeaseItem(item.GetValueOrDefault(LeaseKeyAttribute)?.S ?? "(no leaseKey)", [.. item.Keys.Order(StringComparer.Ordinal)]));
            }
        }

        var target = targetStream is null ? [] : await TargetShardsAsync(targetStream, cancellationToken).ConfigureAwait(false);
        var problems = new List<string>();
        var now = time.GetUtcNow();
        var shards = new List<SourceShardStatus>();
        using var gate = new SemaphoreSlim(ConcurrentReads);
        foreach (var stream in leases.GroupBy(l => l.StreamArn, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var described = await DescribeAsync(stream.Key, problems, cancellationToken).ConfigureAwait(false);
            var rows = Rows(stream.Key, [.. stream], described);
            shards.AddRange(await Task.WhenAll(rows.Select(r => WithAgesAsync(r, now, gate, problems, cancellationToken))).ConfigureAwait(false));
        }

        var workers = shards.Where(s => s.Owner is not null).GroupBy(s => s.Owner!, StringComparer.Ordinal)
            .Select(g => new WorkerLeases(g.Key, g.Count(), g.Count(s => s.State == ShardState.Reading)))
            .OrderBy(w => w.Worker, StringComparer.Ordinal).ToList();
        return new StatusSnapshot(now, leaseDuration, leaseTable, targetStream, shards, workers, target, others, problems) { MergeGroup = group };
    }

    private async Task<List<Dictionary<string, AttributeValue>>> ScanAsync(string leaseTable, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        try
        {
            do
            {
                var page = await dynamoDb.ScanAsync(new ScanRequest { TableName = leaseTable, ConsistentRead = true, ExclusiveStartKey = start }, cancellationToken).ConfigureAwait(false);
                items.AddRange(page.Items ?? []);
                start = page.LastEvaluatedKey is { Count: > 0 } key ? key : null;
            }
            while (start is not null);
        }
        catch (Amazon.DynamoDBv2.Model.ResourceNotFoundException)
        {
            throw OperatorFailure.Input($"lease table '{leaseTable}' does not exist (it is Bridge:Checkpoints:TableName of the running bridge).");
        }

        return items;
    }

    private async Task<IReadOnlyList<StreamShard>?> DescribeAsync(string streamArn, List<string> problems, CancellationToken cancellationToken)
    {
        try
        {
            return (await streams.DescribeAllShardsAsync(streamArn, cancellationToken).ConfigureAwait(false)).Shards;
        }
        catch (Aws.Protocol.ResourceNotFoundException)
        {
            lock (problems)
            {
                problems.Add($"stream {streamArn} no longer exists: its leases are shown as stored.");
            }

            return null;
        }
    }

    /// <summary>A row per lease, and one per open shard that has none yet; children from the stream's lineage.</summary>
    private static List<SourceShardStatus> Rows(string streamArn, List<Lease> leases, IReadOnlyList<StreamShard>? described)
    {
        var table = DynamoDbStreamArn.TryGetTableName(streamArn, out var name) ? name : streamArn;
        var parents = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var shard in described ?? [])
        {
            parents[shard.ShardId] = shard.ParentShardId;
        }

        foreach (var lease in leases)
        {
            parents.TryAdd(lease.ShardId, lease.ParentShardId);
        }

        var children = parents.Where(p => p.Value is not null).ToLookup(p => p.Value!, p => p.Key, StringComparer.Ordinal);
        var rows = leases.Select(l => new SourceShardStatus(
            table, streamArn, l.ShardId, l.ParentShardId, [.. children[l.ShardId].Order(StringComparer.Ordinal)],
            l.IsFinished ? ShardState.Finished : l.Owner is null ? ShardState.Unowned : ShardState.Reading,
            l.Owner, l.PendingOwner, l.Counter, l.Checkpoint?.ToString(), null, null)).ToList();
        var leased = leases.Select(l => l.ShardId).ToHashSet(StringComparer.Ordinal);
        rows.AddRange((described ?? []).Where(s => s.EndingSequenceNumber is null && !leased.Contains(s.ShardId)).Select(s => new SourceShardStatus(
            table, streamArn, s.ShardId, s.ParentShardId, [.. children[s.ShardId].Order(StringComparer.Ordinal)], ShardState.NoLease, null, null, 0, null, null, null)));
        return [.. rows.OrderBy(r => r.ShardId, StringComparer.Ordinal)];
    }

    /// <summary>Fills in the ages of a shard that is being (or will be) read from a sequence number.</summary>
    private async Task<SourceShardStatus> WithAgesAsync(SourceShardStatus row, DateTimeOffset now, SemaphoreSlim gate, List<string> problems, CancellationToken cancellationToken)
    {
        if (row.State == ShardState.Finished || row.Checkpoint is null || !SequenceNumber.TryParse(row.Checkpoint, out _))
        {
            return row;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var at = await FirstRecordAsync(row, ShardIteratorType.AtSequenceNumber, cancellationToken).ConfigureAwait(false);
            var after = await FirstRecordAsync(row, ShardIteratorType.AfterSequenceNumber, cancellationToken).ConfigureAwait(false);
            return row with
            {
                CheckpointAgeSeconds = at is { } a ? Math.Max(0, (now - a).TotalSeconds) : null,
                BehindSeconds = after is { } b ? Math.Max(0, (now - b).TotalSeconds) : 0,
            };
        }
        catch (TrimmedDataAccessException)
        {
            lock (problems)
            {
                problems.Add($"{row.Table}/{row.ShardId}: the checkpoint's position is past the stream's 24 h retention (trimmed).");
            }

            return row;
        }
        catch (Aws.Protocol.ResourceNotFoundException)
        {
            // The stream or shard is gone (table deleted, stream disabled): DescribeAsync has said so once for the stream.
            return row;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<DateTimeOffset?> FirstRecordAsync(SourceShardStatus row, ShardIteratorType type, CancellationToken cancellationToken)
    {
        var iterator = await streams.GetShardIteratorAsync(row.StreamArn, row.ShardId, type, row.Checkpoint, cancellationToken).ConfigureAwait(false);
        var page = await streams.GetRecordsAsync(iterator, 1, cancellationToken).ConfigureAwait(false);
        return page.Records.Length > 0 ? page.Records[0].ApproximateCreationDateTime : null;
    }

    private async Task<List<TargetShardStatus>> TargetShardsAsync(string targetStream, CancellationToken cancellationToken)
    {
        var stream = KinesisStreamRef.Parse(targetStream);
        var shards = new List<TargetShardStatus>();
        string? next = null;
        try
        {
            do
            {
                var page = await kinesis.ListShardsAsync(stream, next, cancellationToken).ConfigureAwait(false);
                shards.AddRange(page.Shards.Select(s => new TargetShardStatus(s.ShardId, s.ParentShardId, s.EndingSequenceNumber is null, s.StartingHashKey, s.EndingHashKey)));
                next = page.NextToken;
            }
            while (next is not null);
        }
        catch (Aws.Protocol.ResourceNotFoundException)
        {
            throw OperatorFailure.Input($"target stream '{targetStream}' does not exist (it is Bridge:Target:StreamName of the running bridge).");
        }

        return shards;
    }
}
