using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Bridge.Coordination;

namespace Bridge.Backfill;

/// <summary>Backfill runs and segments in the checkpoint table of the shard leases (<see cref="DynamoDbLeaseStore"/>), under their own key prefix.</summary>
/// <remarks>
/// Keys: <c>backfill|TABLE|RUN</c> for a run, <c>backfill|TABLE|RUN|SEGMENT</c> for a segment. Table names cannot hold <c>|</c>
/// and run ids are checked (<see cref="BackfillRun.IsValidRunId"/>), so no key of one kind is a prefix of another's, and none
/// looks like a shard lease (<c>streamArn|shardId</c>, with a <c>streamArn</c> attribute that these items never carry,
/// which is what keeps them out of the lease listing). Every segment write is conditional on the counter, as for leases.
/// </remarks>
public sealed class DynamoDbBackfillStore(IAmazonDynamoDB dynamoDb, string tableName, TimeProvider time) : IBackfillStore
{
    private const string KeyPrefix = "backfill|";
    private const string KeyAttribute = DynamoDbLeaseStore.LeaseKeyAttribute;
    private const string TotalSegmentsAttribute = "totalSegments";
    private const string StartedAttribute = "scanStartedAt";
    private const string FinishedAttribute = "finishedAt";
    private const string FloorReleasedAttribute = "floorReleasedAt";
    private const string SegmentAttribute = "segment";
    private const string OwnerAttribute = "leaseOwner";
    private const string CounterAttribute = "leaseCounter";
    private const string ResumeKeyAttribute = "resumeKey";
    private const string DoneAttribute = "done";
    private const string UpdatedAtAttribute = "updatedAt";

    public async Task<BackfillRun?> GetRunAsync(string table, string runId, CancellationToken cancellationToken)
    {
        var response = await dynamoDb.GetItemAsync(
            new GetItemRequest { TableName = tableName, Key = Key(RunKey(table, runId)), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? ParseRun(table, runId, item) : null;
    }

    public async Task<BackfillRun> StartRunAsync(BackfillRun proposed, CancellationToken cancellationToken)
    {
        await SucceedsAsync(dynamoDb.PutItemAsync(
            new PutItemRequest
            {
                TableName = tableName,
                Item = new()
                {
                    [KeyAttribute] = S(RunKey(proposed.TableName, proposed.RunId)),
                    [TotalSegmentsAttribute] = N(proposed.TotalSegments),
                    [StartedAttribute] = S(proposed.ScanStartedAt.ToString("O", CultureInfo.InvariantCulture)),
                },
                ConditionExpression = "attribute_not_exists(#k)",
                ExpressionAttributeNames = new() { ["#k"] = KeyAttribute },
            },
            cancellationToken)).ConfigureAwait(false);
        var run = await GetRunAsync(proposed.TableName, proposed.RunId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Backfill {proposed} vanished right after it was recorded.");

        // Every starter creates the missing segments, so a crash between the run and its segments heals on the next start.
        for (var segment = 0; segment < run.TotalSegments; segment++)
        {
            await SucceedsAsync(dynamoDb.PutItemAsync(
                new PutItemRequest
                {
                    TableName = tableName,
                    Item = new()
                    {
                        [KeyAttribute] = S(SegmentKey(run, segment)),
                        [SegmentAttribute] = N(segment),
                        [CounterAttribute] = N(0),
                        [DoneAttribute] = new AttributeValue { BOOL = false },
                        [UpdatedAtAttribute] = S(Now()),
                    },
                    ConditionExpression = "attribute_not_exists(#k)",
                    ExpressionAttributeNames = new() { ["#k"] = KeyAttribute },
                },
                cancellationToken)).ConfigureAwait(false);
        }

        return run;
    }

    public async Task<IReadOnlyList<BackfillRun>> ListRunsAsync(string table, CancellationToken cancellationToken)
    {
        // Runs and segments share the prefix; a run's key has no segment after its id (run ids hold no '|').
        var prefix = $"{KeyPrefix}{table}|";
        var items = await ListWithPrefixAsync(prefix, cancellationToken).ConfigureAwait(false);
        return [.. items
            .Where(item => !item.ContainsKey(SegmentAttribute) && item[KeyAttribute].S.IndexOf('|', prefix.Length) < 0)
            .Select(item => ParseRun(table, item[KeyAttribute].S[prefix.Length..], item))
            .OrderBy(run => run.ScanStartedAt)];
    }

    public async Task<IReadOnlyList<ScanSegment>> ListSegmentsAsync(BackfillRun run, CancellationToken cancellationToken)
    {
        var items = await ListWithPrefixAsync(RunKey(run.TableName, run.RunId) + "|", cancellationToken).ConfigureAwait(false);
        var result = items.Select(item => ParseSegment(run, item)).ToList();
        result.Sort((a, b) => a.Segment.CompareTo(b.Segment));
        return result;
    }

    /// <summary>The checkpoint table's items under a key prefix: a scan, since the table is keyed by one attribute; it holds
    /// one item per shard, run and segment, so it stays small.</summary>
    private async Task<List<Dictionary<string, AttributeValue>>> ListWithPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var result = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await dynamoDb.ScanAsync(
                new ScanRequest
                {
                    TableName = tableName,
                    ConsistentRead = true,
                    ExclusiveStartKey = startKey,
                    FilterExpression = "begins_with(#k, :prefix)",
                    ExpressionAttributeNames = new() { ["#k"] = KeyAttribute },
                    ExpressionAttributeValues = new() { [":prefix"] = S(prefix) },
                },
                cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Items ?? []);
            startKey = page.LastEvaluatedKey is { Count: > 0 } key ? key : null;
        }
        while (startKey is not null);

        return result;
    }

    public Task<ScanSegment?> TryTakeAsync(ScanSegment seen, string owner, CancellationToken cancellationToken) =>
        UpdateAsync(
            seen,
            "SET #o = :o, #n = :next, #u = :u",
            "#n = :seen AND #d = :false",
            new() { ["#o"] = OwnerAttribute, ["#n"] = CounterAttribute, ["#u"] = UpdatedAtAttribute, ["#d"] = DoneAttribute },
            new() { [":o"] = S(owner), [":next"] = N(seen.Counter + 1), [":u"] = S(Now()), [":seen"] = N(seen.Counter), [":false"] = new AttributeValue { BOOL = false } },
            cancellationToken);

    public Task<ScanSegment?> TryCheckpointAsync(ScanSegment held, string? resumeKey, bool done, CancellationToken cancellationToken)
    {
        var names = Fence(held, out var values);
        names["#d"] = DoneAttribute;
        names["#r"] = ResumeKeyAttribute;
        names["#u"] = UpdatedAtAttribute;
        values[":d"] = new AttributeValue { BOOL = done };
        values[":u"] = S(Now());
        var update = "SET #n = :next, #u = :u, #d = :d";
        if (resumeKey is null)
        {
            update += " REMOVE #r";
        }
        else
        {
            update += ", #r = :r";
            values[":r"] = S(resumeKey);
        }

        return UpdateAsync(held, update, "#n = :seen AND #o = :me", names, values, cancellationToken);
    }

    public async Task<bool> TryReleaseAsync(ScanSegment held, CancellationToken cancellationToken)
    {
        var names = Fence(held, out var values);
        return await UpdateAsync(held, "SET #n = :next REMOVE #o", "#n = :seen AND #o = :me", names, values, cancellationToken).ConfigureAwait(false) is not null;
    }

    public Task<BackfillRun> FinishRunAsync(BackfillRun run, DateTimeOffset finishedAt, CancellationToken cancellationToken) =>
        SetOnceAsync(run, FinishedAttribute, finishedAt, requireFinished: false, cancellationToken);

    public Task<BackfillRun> ReleaseFloorAsync(BackfillRun run, DateTimeOffset releasedAt, CancellationToken cancellationToken) =>
        SetOnceAsync(run, FloorReleasedAttribute, releasedAt, requireFinished: true, cancellationToken);

    /// <summary>Sets a time of the existing run unless it is set (the first writer's stays); returns the run as stored.</summary>
    private async Task<BackfillRun> SetOnceAsync(BackfillRun run, string attribute, DateTimeOffset at, bool requireFinished, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string> { ["#a"] = attribute, ["#k"] = KeyAttribute };
        if (requireFinished)
        {
            names["#f"] = FinishedAttribute;
        }

        var response = await dynamoDb.UpdateItemAsync(
            new UpdateItemRequest
            {
                TableName = tableName,
                Key = Key(RunKey(run.TableName, run.RunId)),
                UpdateExpression = "SET #a = if_not_exists(#a, :a)",
                ConditionExpression = requireFinished ? "attribute_exists(#k) AND attribute_exists(#f)" : "attribute_exists(#k)",
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = new() { [":a"] = S(at.ToString("O", CultureInfo.InvariantCulture)) },
                ReturnValues = ReturnValue.ALL_NEW,
            },
            cancellationToken).ConfigureAwait(false);
        return ParseRun(run.TableName, run.RunId, response.Attributes);
    }

    /// <summary>The placeholders of the holder's fencing condition and its counter bump.</summary>
    private static Dictionary<string, string> Fence(ScanSegment held, out Dictionary<string, AttributeValue> values)
    {
        values = new()
        {
            [":seen"] = N(held.Counter),
            [":next"] = N(held.Counter + 1),
            [":me"] = S(held.Owner ?? throw new InvalidOperationException($"Segment {held} has no owner to write as.")),
        };
        return new() { ["#n"] = CounterAttribute, ["#o"] = OwnerAttribute };
    }

    private async Task<ScanSegment?> UpdateAsync(
        ScanSegment segment,
        string update,
        string condition,
        Dictionary<string, string> names,
        Dictionary<string, AttributeValue> values,
        CancellationToken cancellationToken)
    {
        try
        {
            var response = await dynamoDb.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = tableName,
                    Key = Key(SegmentKey(segment.Run, segment.Segment)),
                    UpdateExpression = update,
                    ConditionExpression = condition,
                    ExpressionAttributeNames = names,
                    ExpressionAttributeValues = values,
                    ReturnValues = ReturnValue.ALL_NEW,
                },
                cancellationToken).ConfigureAwait(false);
            return ParseSegment(segment.Run, response.Attributes);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    private static BackfillRun ParseRun(string table, string runId, Dictionary<string, AttributeValue> item) => new(
        table,
        runId,
        int.Parse(item[TotalSegmentsAttribute].N, CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(item[StartedAttribute].S, CultureInfo.InvariantCulture),
        item.TryGetValue(FinishedAttribute, out var finished) ? DateTimeOffset.Parse(finished.S, CultureInfo.InvariantCulture) : null,
        item.TryGetValue(FloorReleasedAttribute, out var released) ? DateTimeOffset.Parse(released.S, CultureInfo.InvariantCulture) : null);

    private static ScanSegment ParseSegment(BackfillRun run, Dictionary<string, AttributeValue> item) => new(
        run,
        int.Parse(item[SegmentAttribute].N, CultureInfo.InvariantCulture),
        item.TryGetValue(OwnerAttribute, out var owner) ? owner.S : null,
        long.Parse(item[CounterAttribute].N, CultureInfo.InvariantCulture),
        item.TryGetValue(ResumeKeyAttribute, out var resume) ? resume.S : null,
        item.TryGetValue(DoneAttribute, out var done) && done.BOOL == true);

    private static async Task SucceedsAsync(Task write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // It exists already: written by another starter, or by this one before a restart.
        }
    }

    private static string RunKey(string table, string runId) => $"{KeyPrefix}{table}|{runId}";

    private static string SegmentKey(BackfillRun run, int segment) => $"{RunKey(run.TableName, run.RunId)}|{segment.ToString(CultureInfo.InvariantCulture)}";

    private static Dictionary<string, AttributeValue> Key(string key) => new() { [KeyAttribute] = S(key) };

    private string Now() => time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static AttributeValue S(string value) => new() { S = value };

    private static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };
}
