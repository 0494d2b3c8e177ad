using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace Bridge.Testing.Chat;

/// <summary>A chat-messages table (<c>roomId</c> + <c>ts</c>) with a NEW_AND_OLD_IMAGES stream, and the mutations a chat makes.</summary>
public sealed class ChatTable(IAmazonDynamoDB dynamoDb, string tableName)
{
    public string TableName => tableName;

    public IAmazonDynamoDB Client => dynamoDb;

    public static AmazonDynamoDBClient CreateClient(Uri endpoint) =>
        new(EmulatorProcess.Credentials, new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = EmulatorProcess.Region });

    /// <summary>Creates the table with its stream and returns the stream ARN.</summary>
    public async Task<string> CreateAsync(bool streamEnabled = true, CancellationToken cancellationToken = default)
    {
        var response = await dynamoDb.CreateTableAsync(
            new CreateTableRequest
            {
                TableName = tableName,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                KeySchema = [new KeySchemaElement("roomId", KeyType.HASH), new KeySchemaElement("ts", KeyType.RANGE)],
                AttributeDefinitions = [new AttributeDefinition("roomId", ScalarAttributeType.S), new AttributeDefinition("ts", ScalarAttributeType.N)],
                StreamSpecification = streamEnabled
                    ? new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES }
                    : null,
            },
            cancellationToken).ConfigureAwait(false);
        return response.TableDescription.LatestStreamArn ?? "";
    }

    /// <summary>Applies the mutations in order: puts and deletes batched 25 at a time, never two of one item in a batch.</summary>
    public async Task ApplyAsync(IEnumerable<ChatMutation> mutations, CancellationToken cancellationToken = default)
    {
        var batch = new List<WriteRequest>(25);
        var itemsInBatch = new HashSet<(string, long)>();
        foreach (var mutation in mutations)
        {
            if (batch.Count == 25 || itemsInBatch.Contains((mutation.RoomId, mutation.Ts)))
            {
                await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
                itemsInBatch.Clear();
            }

            itemsInBatch.Add((mutation.RoomId, mutation.Ts));
            batch.Add(mutation.Kind == ChatMutationKind.Delete
                ? new WriteRequest { DeleteRequest = new DeleteRequest { Key = Key(mutation) } }
                : new WriteRequest { PutRequest = new PutRequest { Item = Item(mutation) } });
        }

        if (batch.Count > 0)
        {
            await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(List<WriteRequest> batch, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, List<WriteRequest>> { [tableName] = [.. batch] };
        while (pending.Count > 0)
        {
            var response = await dynamoDb.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, cancellationToken).ConfigureAwait(false);
            pending = response.UnprocessedItems is { Count: > 0 } unprocessed ? unprocessed : [];
        }
    }

    private static Dictionary<string, AttributeValue> Key(ChatMutation m) => new()
    {
        ["roomId"] = new AttributeValue { S = m.RoomId },
        ["ts"] = new AttributeValue { N = m.Ts.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    private static Dictionary<string, AttributeValue> Item(ChatMutation m)
    {
        var item = Key(m);
        item["author"] = new AttributeValue { S = m.Author };
        item["body"] = new AttributeValue { S = m.Body };
        item["edits"] = new AttributeValue { N = m.Edits.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        item["sentAtMs"] = new AttributeValue { N = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return item;
    }

    /// <summary>Waits until DynamoDB Local answers for this table (it can lag right after start).</summary>
    public static bool IsTransient(Exception ex) => ex is AmazonServiceException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError };
}
