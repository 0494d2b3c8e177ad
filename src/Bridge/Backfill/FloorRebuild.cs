using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;

namespace Bridge.Backfill;

/// <summary>Reads every item's key attributes and order attribute from the table into a <see cref="SnapshotFloor"/>: a
/// parallel Scan with a projection, under the backfill's read budget. For a floor this process did not fill whole by
/// its own scan (a resumed run, a restart before the floor was released).</summary>
/// <remarks>Each projected item takes the snapshot records' path into the floor (<see cref="SnapshotRecord"/>, then
/// <see cref="SnapshotFloor.TryRaise"/>), so its key and order value are read exactly as the scan's and the stream's are.
/// An item without a usable order value gets no floor, as in the scan (where it was undeliverable).</remarks>
internal sealed partial class FloorRebuild(IAmazonDynamoDB dynamoDb, BackfillOptions options, TimeProvider time, ILogger<FloorRebuild> logger)
{
    public async Task RebuildAsync(BackfillRun run, SnapshotFloor floor, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        var table = (await dynamoDb.DescribeTableAsync(run.TableName, cancellationToken).ConfigureAwait(false)).Table;
        var keyAttributes = table.KeySchema.Select(k => k.AttributeName).ToList();
        var projected = keyAttributes.Append(floor.OrderBy.Path!.Prefix(1)).Distinct(StringComparer.Ordinal).ToList();
        var names = projected.Select((name, i) => (Placeholder: $"#p{i}", Name: name)).ToDictionary(p => p.Placeholder, p => p.Name, StringComparer.Ordinal);
        var projection = string.Join(", ", names.Keys);
        var snapshot = new SnapshotRecord(run, keyAttributes);
        var budget = new ReadBudget(options.ReadUnitsPerSecond, time);
        var pages = new ScanPageReader(dynamoDb, time, logger);
        long items = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, run.TotalSegments),
            new ParallelOptions { MaxDegreeOfParallelism = options.ConcurrentSegments, CancellationToken = cancellationToken },
            async (segment, token) =>
            {
                Dictionary<string, AttributeValue>? startKey = null;
                do
                {
                    await budget.WaitAsync(token).ConfigureAwait(false);
                    var request = new ScanRequest
                    {
                        TableName = run.TableName,
                        Segment = segment,
                        TotalSegments = run.TotalSegments,
                        Limit = options.PageSize,
                        ExclusiveStartKey = startKey,
                        ProjectionExpression = projection,
                        ExpressionAttributeNames = names,
                        ConsistentRead = options.ConsistentRead,
                        ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL,
                    };
                    var page = await pages.ReadAsync(request, $"floor-{segment}", token).ConfigureAwait(false);
                    var readAt = time.GetUtcNow();
                    foreach (var item in page.Items ?? [])
                    {
                        floor.TryRaise(snapshot.Create(item, eventId: string.Empty, readAt, sizeBytes: 0), out _);
                    }

                    Interlocked.Add(ref items, page.Items?.Count ?? 0);
                    // A projection is charged by the items' whole size, unknown here when the service does not say: about 800 bytes each.
                    budget.Spend(page.ConsumedCapacity?.CapacityUnits ?? Math.Max(1, (page.Items?.Count ?? 0) / 10.0));
                    startKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
                }
                while (startKey is not null);
            }).ConfigureAwait(false);

        floor.OnRebuilt(startedAt);
        LogRebuilt(run.TableName, run.RunId, items, floor.Count, time.GetElapsedTime(started).TotalSeconds);
    }

    [LoggerMessage(EventId = 1522, Level = LogLevel.Information, Message = "Snapshot floor of {Table}/{RunId} rebuilt from the table: {Items} items read, {Floors} floors, in {Seconds:F1} s")]
    private partial void LogRebuilt(string table, string runId, long items, int floors, double seconds);
}
