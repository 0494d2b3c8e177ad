using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Bridge.Backfill;

namespace Bridge.IntegrationTests.Backfill;

/// <summary>A table (<c>roomId</c> + <c>ts</c>, the chat schema) of items with every kind of attribute, filled in bulk, and
/// changed item by item (inserts, updates, deletes) by a writer that runs while a backfill scans.</summary>
/// <param name="orderAttribute">When given, every write stamps this N attribute with epoch milliseconds, each later than the
/// last (as an application's <c>updatedAt</c>), for <c>Bridge:Sources:N:OrderBy</c>.</param>
internal sealed class ItemsTable(IAmazonDynamoDB dynamoDb, string tableName, string? orderAttribute = null)
{
    private readonly List<(string RoomId, long Ts)> _existing = [];

    /// <summary>Keys deleted by <see cref="ChangeUntilAsync"/>, which an ordered table's writer inserts again.</summary>
    private readonly List<(string RoomId, long Ts)> _deleted = [];
    private long _nextTs;
    private long _lastStamp;

    public string TableName => tableName;

    /// <summary>Changes made by <see cref="ChangeUntilAsync"/> so far.</summary>
    public int Changes { get; private set; }

    /// <summary>Of <see cref="Changes"/>, inserts of a key deleted before.</summary>
    public int Recreated { get; private set; }

    /// <summary>Writes <paramref name="count"/> items, 25 per batch, four batches at a time.</summary>
    public async Task FillAsync(int count, int rooms)
    {
        var items = Enumerable.Range(0, count).Select(i => NewItem(Room(i % rooms), _nextTs++, version: 0)).ToList();
        _existing.AddRange(items.Select(i => (i["roomId"].S, long.Parse(i["ts"].N, CultureInfo.InvariantCulture))));
        await Parallel.ForEachAsync(items.Chunk(25), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, ct) =>
        {
            var pending = new Dictionary<string, List<WriteRequest>> { [tableName] = [.. batch.Select(i => new WriteRequest { PutRequest = new PutRequest { Item = i } })] };
            while (pending.Count > 0)
            {
                var response = await dynamoDb.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, ct);
                pending = response.UnprocessedItems is { Count: > 0 } left ? left : [];
            }
        });
    }

    /// <summary>One change at a time until cancelled: 45% updates and 25% deletes of existing items, 30% inserts. In an
    /// ordered table a third of the inserts bring back a recently deleted key (a later life of the item, stamped later).</summary>
    public async Task ChangeUntilAsync(int rooms, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        while (!cancellationToken.IsCancellationRequested)
        {
            var roll = random.Next(100);
            if (roll < 70 && _existing.Count > 0)
            {
                var index = random.Next(_existing.Count);
                var (room, ts) = _existing[index];
                if (roll < 45)
                {
                    await dynamoDb.PutItemAsync(new PutItemRequest { TableName = tableName, Item = NewItem(room, ts, version: random.Next(1, 1000)) }, CancellationToken.None);
                }
                else
                {
                    await dynamoDb.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = Key(room, ts) }, CancellationToken.None);
                    _existing[index] = _existing[^1];
                    _existing.RemoveAt(_existing.Count - 1);
                    if (orderAttribute is not null)
                    {
                        _deleted.Add((room, ts));
                    }
                }
            }
            else if (roll < 80 && _deleted.Count > 0)
            {
                var index = Math.Max(0, _deleted.Count - 1 - random.Next(20));
                var (room, ts) = _deleted[index];
                _deleted.RemoveAt(index);
                await dynamoDb.PutItemAsync(new PutItemRequest { TableName = tableName, Item = NewItem(room, ts, version: random.Next(1000, 2000)) }, CancellationToken.None);
                _existing.Add((room, ts));
                Recreated++;
            }
            else
            {
                var item = NewItem(Room(random.Next(rooms)), _nextTs++, version: 0);
                await dynamoDb.PutItemAsync(new PutItemRequest { TableName = tableName, Item = item }, CancellationToken.None);
                _existing.Add((item["roomId"].S, long.Parse(item["ts"].N, CultureInfo.InvariantCulture)));
            }

            Changes++;
        }
    }

    /// <summary>Every item as stored now, by <see cref="TableReplica.KeyOf"/>, in the replica's canonical JSON.</summary>
    public async Task<Dictionary<string, string>> ReadAllAsync()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamoDb.ScanAsync(new ScanRequest { TableName = tableName, ExclusiveStartKey = start, ConsistentRead = true });
            foreach (var item in page.Items ?? [])
            {
                var buffer = new ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    AttributeValueJson.WriteMap(writer, item);
                }

                using var document = JsonDocument.Parse(buffer.WrittenMemory);
                result[TableReplica.KeyOf(document.RootElement)] = TableReplica.Canonical(document.RootElement);
            }

            start = page.LastEvaluatedKey is { Count: > 0 } key ? key : null;
        }
        while (start is not null);

        return result;
    }

    private static string Room(int index) => $"room-{index:D3}";

    private static Dictionary<string, AttributeValue> Key(string room, long ts) => new()
    {
        ["roomId"] = new AttributeValue { S = room },
        ["ts"] = new AttributeValue { N = ts.ToString(CultureInfo.InvariantCulture) },
    };

    private Dictionary<string, AttributeValue> NewItem(string room, long ts, int version)
    {
        var item = Key(room, ts);
        if (orderAttribute is not null)
        {
            _lastStamp = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _lastStamp + 1);
            item[orderAttribute] = new AttributeValue { N = _lastStamp.ToString(CultureInfo.InvariantCulture) };
        }

        item["body"] = new AttributeValue { S = $"message {ts} of {room}, version {version}: ünïcødé \"quoted\"" };
        item["version"] = new AttributeValue { N = version.ToString(CultureInfo.InvariantCulture) };
        item["pinned"] = new AttributeValue { BOOL = ts % 3 == 0 };
        item["meta"] = new AttributeValue
        {
            M = new()
            {
                ["score"] = new AttributeValue { N = (ts % 1000 / 10.0).ToString(CultureInfo.InvariantCulture) },
                ["nothing"] = new AttributeValue { NULL = true },
                ["raw"] = new AttributeValue { B = new MemoryStream(Encoding.UTF8.GetBytes($"bytes-{ts}")) },
            },
        };
        item["tags"] = new AttributeValue { SS = [$"t{ts % 7}", $"v{version}"] };
        item["history"] = new AttributeValue { L = [new AttributeValue { N = version.ToString(CultureInfo.InvariantCulture) }, new AttributeValue { S = room }] };
        return item;
    }
}
