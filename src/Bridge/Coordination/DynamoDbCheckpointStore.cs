using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Bridge.Coordination;

/// <summary>Checkpoints in a DynamoDB table, one item per source shard, keyed <c>leaseKey</c> = <c>streamArn|shardId</c>.</summary>
/// <remarks>
/// The same items become the shards' leases once several workers share the work, which is why the key is
/// one string per shard and reads are a consistent scan filtered by stream: the table holds a few hundred
/// items at most (a stream's shards over its 24 h retention).
/// </remarks>
public sealed class DynamoDbCheckpointStore(IAmazonDynamoDB dynamoDb, string tableName, TimeProvider time) : ICheckpointStore
{
    internal const string LeaseKey = "leaseKey";
    private const string StreamArnAttribute = "streamArn";
    private const string ShardIdAttribute = "shardId";
    private const string ParentAttribute = "parentShardId";
    private const string CheckpointAttribute = "checkpoint";
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
                    KeySchema = [new KeySchemaElement(LeaseKey, KeyType.HASH)],
                    AttributeDefinitions = [new AttributeDefinition(LeaseKey, ScalarAttributeType.S)],
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

    public async Task<IReadOnlyDictionary<string, ShardCheckpoint>> LoadAsync(string streamArn, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, ShardCheckpoint>(StringComparer.Ordinal);
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await dynamoDb.ScanAsync(
                new ScanRequest
                {
                    TableName = tableName,
                    ConsistentRead = true,
                    FilterExpression = "#s = :s",
                    ExpressionAttributeNames = new() { ["#s"] = StreamArnAttribute },
                    ExpressionAttributeValues = new() { [":s"] = new AttributeValue { S = streamArn } },
                    ExclusiveStartKey = startKey,
                },
                cancellationToken).ConfigureAwait(false);

            foreach (var item in page.Items ?? [])
            {
                var shardId = item[ShardIdAttribute].S;
                var parent = item.TryGetValue(ParentAttribute, out var p) ? p.S : null;
                result[shardId] = new ShardCheckpoint(shardId, parent, Checkpoint.Parse(item[CheckpointAttribute].S));
            }

            startKey = page.LastEvaluatedKey is { Count: > 0 } key ? key : null;
        }
        while (startKey is not null);

        return result;
    }

    public Task SaveAsync(string streamArn, ShardCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>
        {
            ["#s"] = StreamArnAttribute,
            ["#i"] = ShardIdAttribute,
            ["#c"] = CheckpointAttribute,
            ["#u"] = UpdatedAtAttribute,
        };
        var values = new Dictionary<string, AttributeValue>
        {
            [":s"] = new() { S = streamArn },
            [":i"] = new() { S = checkpoint.ShardId },
            [":c"] = new() { S = checkpoint.Checkpoint.ToString() },
            [":u"] = new() { S = time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
        };
        var update = "SET #s = :s, #i = :i, #c = :c, #u = :u";
        if (checkpoint.ParentShardId is { } parent)
        {
            names["#p"] = ParentAttribute;
            values[":p"] = new() { S = parent };
            update += ", #p = :p";
        }

        return dynamoDb.UpdateItemAsync(
            new UpdateItemRequest
            {
                TableName = tableName,
                Key = new() { [LeaseKey] = new AttributeValue { S = KeyOf(streamArn, checkpoint.ShardId) } },
                UpdateExpression = update,
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
            },
            cancellationToken);
    }

    internal static string KeyOf(string streamArn, string shardId) => $"{streamArn}|{shardId}";
}
