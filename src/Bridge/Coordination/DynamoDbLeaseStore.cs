using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Bridge.Coordination;

/// <summary>Leases in a DynamoDB table, one item per source shard, keyed <c>leaseKey</c> = <c>streamArn|shardId</c>.</summary>
/// <remarks>
/// Every write is a conditional write on the item's <c>leaseCounter</c> (and <c>leaseOwner</c> for the holder's
/// writes); a failed condition is an answer (null/false), not an error. Items written by the single-worker
/// versions (no owner, no counter) read as unowned leases with counter 0, so an upgrade keeps every checkpoint.
/// Reads are a consistent scan: the table holds a few hundred items at most (a stream's shards over its 24 h retention).
/// </remarks>
public sealed class DynamoDbLeaseStore(IAmazonDynamoDB dynamoDb, string tableName, TimeProvider time) : ILeaseStore
{
    internal const string LeaseKeyAttribute = "leaseKey";
    private const string StreamArnAttribute = "streamArn";
    private const string ShardIdAttribute = "shardId";
    private const string ParentAttribute = "parentShardId";
    private const string CheckpointAttribute = "checkpoint";
    private const string OwnerAttribute = "leaseOwner";
    private const string CounterAttribute = "leaseCounter";
    private const string PendingOwnerAttribute = "pendingOwner";
    private const string UpdatedAtAttribute = "updatedAt";

    public string TableName => tableName;

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await dynamoDb.DescribeTableAsync(tableName, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (ResourceNotFoundException)
        {
            // First start: create it below.
        }

        try
        {
            await dynamoDb.CreateTableAsync(
                new CreateTableRequest
                {
                    TableName = tableName,
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                    KeySchema = [new KeySchemaElement(LeaseKeyAttribute, KeyType.HASH)],
                    AttributeDefinitions = [new AttributeDefinition(LeaseKeyAttribute, ScalarAttributeType.S)],
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceInUseException)
        {
            // Another worker created it at the same moment.
        }

        while (true)
        {
            var table = await dynamoDb.DescribeTableAsync(tableName, cancellationToken).ConfigureAwait(false);
            if (table.Table.TableStatus == TableStatus.ACTIVE)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<Lease>> ListAsync(IReadOnlyCollection<string> streamArns, CancellationToken cancellationToken)
    {
        var wanted = streamArns.ToHashSet(StringComparer.Ordinal);
        var result = new List<Lease>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await dynamoDb.ScanAsync(
                new ScanRequest { TableName = tableName, ConsistentRead = true, ExclusiveStartKey = startKey },
                cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                if (item.TryGetValue(StreamArnAttribute, out var arn) && wanted.Contains(arn.S))
                {
                    result.Add(Parse(item));
                }
            }

            startKey = page.LastEvaluatedKey is { Count: > 0 } key ? key : null;
        }
        while (startKey is not null);

        return result;
    }

    public async Task<Lease?> GetAsync(string leaseKey, CancellationToken cancellationToken)
    {
        var response = await dynamoDb.GetItemAsync(
            new GetItemRequest { TableName = tableName, Key = new() { [LeaseKeyAttribute] = S(leaseKey) }, ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? Parse(item) : null;
    }

    public async Task<bool> TryCreateAsync(Lease lease, CancellationToken cancellationToken)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            [LeaseKeyAttribute] = S(lease.LeaseKey),
            [StreamArnAttribute] = S(lease.StreamArn),
            [ShardIdAttribute] = S(lease.ShardId),
            [CounterAttribute] = N(lease.Counter),
            [UpdatedAtAttribute] = S(Now()),
        };
        if (lease.ParentShardId is { } parent)
        {
            item[ParentAttribute] = S(parent);
        }

        if (lease.Checkpoint is { } checkpoint)
        {
            item[CheckpointAttribute] = S(checkpoint.ToString());
        }

        return await SucceedsAsync(dynamoDb.PutItemAsync(
            new PutItemRequest
            {
                TableName = tableName,
                Item = item,
                ConditionExpression = "attribute_not_exists(#k)",
                ExpressionAttributeNames = new() { ["#k"] = LeaseKeyAttribute },
            },
            cancellationToken)).ConfigureAwait(false);
    }

    public Task<Lease?> TryTakeAsync(Lease seen, string owner, CancellationToken cancellationToken)
    {
        var write = new ConditionalWrite();
        var condition = CounterIs(seen, write);
        write.Name("#o", OwnerAttribute).Name("#p", PendingOwnerAttribute).Value(":o", S(owner));
        return UpdateAsync(seen, $"SET #o = :o, {Bump(seen, write)} REMOVE #p", condition, write, cancellationToken);
    }

    public Task<Lease?> TryRenewAsync(Lease held, CancellationToken cancellationToken)
    {
        var write = new ConditionalWrite();
        var condition = HeldBy(held, write);
        return UpdateAsync(held, $"SET {Bump(held, write)}", condition, write, cancellationToken);
    }

    public Task<Lease?> TryCheckpointAsync(Lease held, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var write = new ConditionalWrite();
        var condition = HeldBy(held, write);
        write.Name("#c", CheckpointAttribute).Value(":c", S(checkpoint.ToString()));
        return UpdateAsync(held, $"SET {Bump(held, write)}, #c = :c", condition, write, cancellationToken);
    }

    public async Task<bool> TryRequestHandoffAsync(Lease seen, string requester, CancellationToken cancellationToken)
    {
        if (seen.Owner is null)
        {
            return false;
        }

        return await SucceedsAsync(dynamoDb.UpdateItemAsync(
            new UpdateItemRequest
            {
                TableName = tableName,
                Key = KeyOf(seen),
                UpdateExpression = "SET #p = :p",
                ConditionExpression = "#o = :o",
                ExpressionAttributeNames = new() { ["#p"] = PendingOwnerAttribute, ["#o"] = OwnerAttribute },
                ExpressionAttributeValues = new() { [":p"] = S(requester), [":o"] = S(seen.Owner) },
            },
            cancellationToken)).ConfigureAwait(false);
    }

    public async Task<bool> TryReleaseAsync(Lease held, CancellationToken cancellationToken)
    {
        var write = new ConditionalWrite();
        var condition = HeldBy(held, write);
        return await UpdateAsync(held, $"SET {Bump(held, write)} REMOVE #o", condition, write, cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task<bool> TryDeleteAsync(Lease seen, CancellationToken cancellationToken)
    {
        var write = new ConditionalWrite();
        var condition = CounterIs(seen, write);
        return await SucceedsAsync(dynamoDb.DeleteItemAsync(
            new DeleteItemRequest
            {
                TableName = tableName,
                Key = KeyOf(seen),
                ConditionExpression = condition,
                ExpressionAttributeNames = write.Names,
                ExpressionAttributeValues = write.Values,
            },
            cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>True when the conditional write went through, false when its condition failed (someone else changed the lease).</summary>
    private static async Task<bool> SucceedsAsync(Task write)
    {
        try
        {
            await write.ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>The condition "the item exists and its counter is still <paramref name="seen"/>'s" (an absent counter reads as 0).</summary>
    private static string CounterIs(Lease seen, ConditionalWrite write)
    {
        write.Name("#k", LeaseKeyAttribute).Name("#n", CounterAttribute).Value(":seen", N(seen.Counter));
        return seen.Counter == 0
            ? "attribute_exists(#k) AND (attribute_not_exists(#n) OR #n = :seen)"
            : "attribute_exists(#k) AND #n = :seen";
    }

    /// <summary>The fencing condition of the holder's writes: still the owner, and nobody wrote since its last write.</summary>
    private static string HeldBy(Lease held, ConditionalWrite write)
    {
        var condition = CounterIs(held, write);
        write.Name("#o", OwnerAttribute).Value(":me", S(held.Owner ?? throw new InvalidOperationException($"Lease {held.LeaseKey} has no owner to write as.")));
        return condition + " AND #o = :me";
    }

    /// <summary>The SET clauses every write of a lease makes: the next counter, so the write fences out older views, and the time.</summary>
    private string Bump(Lease lease, ConditionalWrite write)
    {
        write.Name("#n", CounterAttribute).Name("#u", UpdatedAtAttribute).Value(":next", N(lease.Counter + 1)).Value(":u", S(Now()));
        return "#n = :next, #u = :u";
    }

    private async Task<Lease?> UpdateAsync(Lease lease, string update, string condition, ConditionalWrite write, CancellationToken cancellationToken)
    {
        try
        {
            var response = await dynamoDb.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = tableName,
                    Key = KeyOf(lease),
                    UpdateExpression = update,
                    ConditionExpression = condition,
                    ExpressionAttributeNames = write.Names,
                    ExpressionAttributeValues = write.Values,
                    ReturnValues = ReturnValue.ALL_NEW,
                },
                cancellationToken).ConfigureAwait(false);
            return Parse(response.Attributes);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    private static Lease Parse(Dictionary<string, AttributeValue> item) => new(
        item[LeaseKeyAttribute].S,
        item[StreamArnAttribute].S,
        item[ShardIdAttribute].S,
        item.TryGetValue(ParentAttribute, out var parent) ? parent.S : null,
        item.TryGetValue(OwnerAttribute, out var owner) ? owner.S : null,
        item.TryGetValue(CounterAttribute, out var counter) ? long.Parse(counter.N, CultureInfo.InvariantCulture) : 0,
        item.TryGetValue(CheckpointAttribute, out var checkpoint) ? Checkpoint.Parse(checkpoint.S) : null,
        item.TryGetValue(PendingOwnerAttribute, out var pending) ? pending.S : null);

    /// <summary>The item as a shard lease, or null when it is not one (another kind of item sharing the table, or one
    /// this version cannot read): for readers such as <c>status</c> that must show such items rather than fail on them.</summary>
    internal static Lease? TryParseShardLease(Dictionary<string, AttributeValue> item)
    {
        if (item.GetValueOrDefault(LeaseKeyAttribute)?.S is not { } key
            || item.GetValueOrDefault(StreamArnAttribute)?.S is not { } streamArn
            || item.GetValueOrDefault(ShardIdAttribute)?.S is not { } shardId
            || key != Lease.KeyOf(streamArn, shardId))
        {
            return null;
        }

        try
        {
            return Parse(item);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    private static Dictionary<string, AttributeValue> KeyOf(Lease lease) => new() { [LeaseKeyAttribute] = S(lease.LeaseKey) };

    private string Now() => time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static AttributeValue S(string value) => new() { S = value };

    private static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    /// <summary>The placeholders of one conditional write; each part of the expression adds only the ones it uses,
    /// because DynamoDB refuses a request that defines a placeholder its expressions do not use.</summary>
    private sealed class ConditionalWrite
    {
        public Dictionary<string, string> Names { get; } = [];

        public Dictionary<string, AttributeValue> Values { get; } = [];

        public ConditionalWrite Name(string placeholder, string attribute)
        {
            Names[placeholder] = attribute;
            return this;
        }

        public ConditionalWrite Value(string placeholder, AttributeValue value)
        {
            Values[placeholder] = value;
            return this;
        }
    }
}
