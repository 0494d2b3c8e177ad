using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.DocumentModel;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.Kinesis;

namespace Bridge.Benchmarks.Backfill;

/// <summary>The one-off script a user writes today: a parallel Scan, each page's items as JSON into PutRecords calls of 500,
/// failed entries resent at once. No checkpoint, no read budget, no ordering, no stream shape.</summary>
internal sealed class NaiveScanForwarder(IAmazonDynamoDB dynamoDb, IKinesisClient kinesis, string table, KinesisStreamRef target, int segments, int pageSize)
{
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, segments).Select(segment => ScanSegmentAsync(segment, cancellationToken)));

    private async Task ScanSegmentAsync(int segment, CancellationToken cancellationToken)
    {
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamoDb.ScanAsync(
                new ScanRequest { TableName = table, Segment = segment, TotalSegments = segments, Limit = pageSize, ExclusiveStartKey = start },
                cancellationToken);
            foreach (var chunk in (page.Items ?? []).Chunk(500))
            {
                var entries = chunk.Select(item => new PutRecordsEntry(item["roomId"].S, Encoding.UTF8.GetBytes(Document.FromAttributeMap(item).ToJson()))).ToList();
                while (entries.Count > 0)
                {
                    var result = await kinesis.PutRecordsAsync(target, entries, cancellationToken);
                    entries = [.. entries.Where((_, i) => !result.Records[i].Succeeded)];
                }
            }

            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);
    }
}
