using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.Kinesis;

namespace Bridge.Testing.Chat;

/// <summary>The workload Merge mode exists for: chat messages stored one item per message (table key <c>id</c>) in
/// several tables, each stamped with <c>ts</c>, epoch milliseconds that increase per room. One room's messages land
/// in every table, so in every table's stream shards.</summary>
public sealed class RoomMessages(IAmazonDynamoDB dynamoDb, IReadOnlyList<string> tables, int rooms, int seed)
{
    private readonly Random _random = new(seed);
    private readonly Dictionary<string, long> _lastTs = [];
    private int _next;

    public IReadOnlyList<string> Tables => tables;

    /// <summary>Messages written so far.</summary>
    public int Written => _next;

    public async Task CreateTablesAsync(CancellationToken cancellationToken = default)
    {
        foreach (var table in tables)
        {
            await dynamoDb.CreateTableAsync(
                new CreateTableRequest
                {
                    TableName = table,
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                    KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
                    AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
                    StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes <paramref name="count"/> messages, each to a random room and table, one at a time in order, so each
    /// room's <c>ts</c> (the wall clock, at least one more than the room's last) increases in the order of the writes.</summary>
    public async Task WriteAsync(int count, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            var (table, item) = NextMessage();
            await dynamoDb.PutItemAsync(new PutItemRequest { TableName = table, Item = item }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes <paramref name="count"/> messages 25 to a request (a backlog, fast). DynamoDB applies a batch's
    /// items in no particular order, so, as a writer stamping <c>now</c> would, all messages of one batch share one
    /// <c>ts</c>, above every earlier batch's: per room, <c>ts</c> never decreases in the order the stream holds them.</summary>
    public async Task WriteBacklogAsync(int count, CancellationToken cancellationToken = default)
    {
        for (var written = 0; written < count; written += 25)
        {
            var pending = new Dictionary<string, List<WriteRequest>>();
            var ts = Math.Max(_lastTs.Values.DefaultIfEmpty(0).Max() + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            for (var i = 0; i < Math.Min(25, count - written); i++)
            {
                var (table, item) = NextMessage(ts);
                (pending.TryGetValue(table, out var requests) ? requests : pending[table] = []).Add(new WriteRequest { PutRequest = new PutRequest { Item = item } });
            }

            while (pending.Count > 0)
            {
                var response = await dynamoDb.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, cancellationToken).ConfigureAwait(false);
                pending = response.UnprocessedItems is { Count: > 0 } unprocessed ? unprocessed : [];
            }
        }
    }

    /// <summary>Writes <paramref name="perSecond"/> messages a second for <paramref name="duration"/>; returns each
    /// message's id with the <see cref="System.Diagnostics.Stopwatch"/> timestamp its PutItem completed.</summary>
    public async Task<Dictionary<string, long>> WriteSteadilyAsync(int perSecond, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var written = new Dictionary<string, long>();
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < (int)(perSecond * duration.TotalSeconds); i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)perSecond) - System.Diagnostics.Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken).ConfigureAwait(false);
            }

            var (table, item) = NextMessage();
            await dynamoDb.PutItemAsync(new PutItemRequest { TableName = table, Item = item }, cancellationToken).ConfigureAwait(false);
            written[item["id"].S] = System.Diagnostics.Stopwatch.GetTimestamp();
        }

        return written;
    }

    /// <param name="batchTs">The stamp of a whole batch; otherwise the wall clock, at least one more than the room's last.</param>
    private (string Table, Dictionary<string, AttributeValue> Item) NextMessage(long? batchTs = null)
    {
        var room = "room-" + _random.Next(rooms);
        var table = tables[_random.Next(tables.Count)];
        var ts = batchTs ?? Math.Max(_lastTs.GetValueOrDefault(room) + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _lastTs[room] = ts;
        return (table, new()
        {
            ["id"] = new AttributeValue { S = $"{room}#msg-{_next++}" },
            ["roomId"] = new AttributeValue { S = room },
            ["ts"] = new AttributeValue { N = ts.ToString(CultureInfo.InvariantCulture) },
            ["body"] = new AttributeValue { S = "hello from " + table },
        });
    }

    /// <summary>Reads the whole target and checks it: every message there, per room in <c>ts</c> order.</summary>
    public static async Task<MergedReport> ReadTargetAsync(IKinesisClient kinesis, string target, CancellationToken cancellationToken = default)
    {
        var records = await KinesisReadback.ReadKinesisRecordsAsync(kinesis, target, cancellationToken).ConfigureAwait(false);
        return new MergedReport([.. records
            .SelectMany(r => KplDeaggregator.Deaggregate(r.Record.PartitionKey, r.Record.Data.ToArray()).Select(d => Parse(d.PartitionKey, d.Data, r.Record.ApproximateArrivalTimestamp)))]);
    }

    private static MergedMessage Parse(string partitionKey, byte[] data, DateTimeOffset? arrivedAt)
    {
        using var document = JsonDocument.Parse(data);
        var root = document.RootElement;
        var dynamodb = root.GetProperty("dynamodb");
        var image = dynamodb.GetProperty("NewImage");
        return new MergedMessage(
            partitionKey,
            image.GetProperty("id").GetProperty("S").GetString()!,
            long.Parse(image.GetProperty("ts").GetProperty("N").GetString()!, CultureInfo.InvariantCulture),
            root.GetProperty("tableName").GetString()!,
            arrivedAt);
    }
}

/// <summary>One forwarded message: its partition key (the room), its item id, its stamp (the wall clock when it was
/// written) and when Kinesis received it.</summary>
public sealed record MergedMessage(string Room, string Id, long Ts, string Table, DateTimeOffset? ArrivedAt);

/// <summary>What a target holds of a <see cref="RoomMessages"/> workload, read per target shard in order (each room is on one shard).</summary>
public sealed class MergedReport(IReadOnlyList<MergedMessage> messages)
{
    public IReadOnlyList<MergedMessage> Messages => messages;

    public int Distinct => messages.Select(m => m.Id).Distinct().Count();

    public int Duplicates => messages.Count - Distinct;

    /// <summary>Per room, first occurrences whose <c>ts</c> is below one delivered before them in the room.</summary>
    public IReadOnlyList<string> OrderViolations()
    {
        var seen = new HashSet<string>();
        var last = new Dictionary<string, MergedMessage>();
        var violations = new List<string>();
        foreach (var message in messages)
        {
            if (!seen.Add(message.Id))
            {
                continue;
            }

            if (last.TryGetValue(message.Room, out var before) && message.Ts < before.Ts)
            {
                violations.Add($"{message.Id} ({message.Table}, ts {message.Ts}) after {before.Id} ({before.Table}, ts {before.Ts})");
            }

            if (before is null || message.Ts >= before.Ts)
            {
                last[message.Room] = message;
            }
        }

        return violations;
    }

    public override string ToString() =>
        $"{messages.Count} records, {Distinct} distinct messages, {Duplicates} duplicates, {OrderViolations().Count} per-room order violations" +
        string.Concat(OrderViolations().Take(5).Select(v => "\n  " + v));
}
