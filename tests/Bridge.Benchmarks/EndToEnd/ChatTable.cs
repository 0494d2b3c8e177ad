using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary>The source table on DynamoDB Local: chat messages keyed by <c>id</c>, forwarded by <c>roomId</c>, with
/// every attribute type, and its stream (NEW_AND_OLD_IMAGES).</summary>
/// <param name="rooms">Distinct <c>roomId</c>s (partition keys) the items are spread over.</param>
internal sealed class ChatTable(IAmazonDynamoDB dynamoDb, string name, int rooms)
{
    public string StreamArn { get; private set; } = "";

    public string Name => name;

    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        var created = await dynamoDb.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
        }, cancellationToken);
        StreamArn = created.TableDescription.LatestStreamArn;
    }

    /// <summary>Writes <paramref name="count"/> items as fast as 4 concurrent BatchWriteItem calls go.</summary>
    public async Task WriteBacklogAsync(string prefix, int count, CancellationToken cancellationToken)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (true)
            {
                var first = Interlocked.Add(ref next, 25) - 24;
                if (first >= count)
                {
                    return;
                }

                var writes = Enumerable.Range(first, Math.Min(25, count - first))
                    .Select(i => new WriteRequest(new PutRequest(Item(prefix, i))))
                    .ToList();
                var unprocessed = new Dictionary<string, List<WriteRequest>> { [name] = writes };
                while (unprocessed.Count > 0)
                {
                    unprocessed = (await dynamoDb.BatchWriteItemAsync(new BatchWriteItemRequest(unprocessed), cancellationToken)).UnprocessedItems ?? [];
                }
            }
        }));
    }

    /// <summary>Writes one item every 1/<paramref name="perSecond"/> s for <paramref name="duration"/>; returns each id
    /// with the <see cref="Stopwatch"/> timestamp at which its PutItem completed.</summary>
    public async Task<Dictionary<string, long>> WriteSteadilyAsync(string prefix, int perSecond, TimeSpan duration, CancellationToken cancellationToken)
    {
        var written = new Dictionary<string, long>();
        var start = Stopwatch.GetTimestamp();
        var count = (int)(perSecond * duration.TotalSeconds);
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)perSecond) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }

            var item = Item(prefix, i);
            await dynamoDb.PutItemAsync(new PutItemRequest(name, item), cancellationToken);
            written[item["id"].S] = Stopwatch.GetTimestamp();
        }

        return written;
    }

    /// <summary>The item's <c>id</c> from a stream record, or a Kinesis record made of one: the first
    /// <c>"id":{"S":"…"}</c> in it, which is in <c>Keys</c>. Empty when there is none.</summary>
    public static string IdOf(ReadOnlySpan<byte> record)
    {
        var marker = "\"id\":{\"S\":\""u8;
        var at = record.IndexOf(marker);
        if (at < 0)
        {
            return "";
        }

        var value = record[(at + marker.Length)..];
        return Encoding.UTF8.GetString(value[..value.IndexOf((byte)'"')]);
    }

    /// <summary>About 600 B of item: S, N, B, SS, NS, BS, M, L, NULL and BOOL.</summary>
    private Dictionary<string, AttributeValue> Item(string prefix, int index)
    {
        var n = index.ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, AttributeValue>
        {
            ["id"] = new() { S = $"{prefix}{index:D6}" },
            ["roomId"] = new() { S = "room-" + (index % rooms).ToString("D5", CultureInfo.InvariantCulture) },
            ["author"] = new() { S = "user-" + (index % 997).ToString(CultureInfo.InvariantCulture) },
            ["body"] = new() { S = $"message {n}: Hello \"team\", the build on C:\\ci is green — déjà vu. " + new string('x', 200) },
            ["sentAt"] = new() { N = "1795000000.123" },
            ["avatar"] = new() { B = new MemoryStream([0x89, 0x50, 0x4e, 0x47, (byte)index]) },
            ["tags"] = new() { SS = ["greeting", "pinned"] },
            ["scores"] = new() { NS = ["1", "-2.5", "3E+10"] },
            ["attachments"] = new() { BS = [new MemoryStream([1, 2, 3]), new MemoryStream([4, 5, 6])] },
            ["meta"] = new() { M = new Dictionary<string, AttributeValue> { ["client"] = new() { S = "ios" }, ["version"] = new() { N = "17" } } },
            ["reactions"] = new() { L = [new() { S = "thumbs-up" }, new() { N = "3" }, new() { BOOL = false }] },
            ["deletedAt"] = new() { NULL = true },
            ["edited"] = new() { BOOL = index % 2 == 0 },
        };
    }
}
