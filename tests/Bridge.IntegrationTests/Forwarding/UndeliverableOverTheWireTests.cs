using Amazon.DynamoDBv2.Model;
using Bridge.Aws.Kinesis;
using Bridge.Testing;
using Bridge.Testing.Chat;

namespace Bridge.IntegrationTests.Forwarding;

/// <summary>Items without the key attribute, through the real host: dead-lettered or skipped, never silently dropped.</summary>
public sealed class UndeliverableOverTheWireTests(ChatEmulators aws) : IClassFixture<ChatEmulators>
{
    [Theory]
    [InlineData("DeadLetter")]
    [InlineData("Skip")]
    public async Task Items_without_the_key_attribute_follow_the_configured_policy(string policy)
    {
        var name = "undeliverable-" + policy.ToLowerInvariant();
        var table = await aws.CreateTableAsync(name);
        await aws.CreateTargetAsync(name + "-out", shards: 2);
        await aws.CreateTargetAsync(name + "-dlq", shards: 1);

        // Keyed by author: chat messages have one, the three system notices below do not.
        await table.ApplyAsync(new ChatWorkload(rooms: 5, seed: 9).Next(40).Where(m => m.Kind == ChatMutationKind.Insert));
        for (var i = 0; i < 3; i++)
        {
            await table.Client.PutItemAsync(new PutItemRequest
            {
                TableName = name,
                Item = new() { ["roomId"] = new AttributeValue { S = "room-0000" }, ["ts"] = new AttributeValue { N = (100_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture) }, ["body"] = new AttributeValue { S = "system notice" } },
            });
        }

        var settings = aws.BridgeSettings(name, name + "-out", name + "-checkpoints");
        settings["Bridge__Sources__0__PartitionKey"] = "author";
        settings["Bridge__OnUndeliverable"] = policy;
        settings["Bridge__DeadLetter__StreamName"] = name + "-dlq";
        var streamArn = (await aws.DynamoDbClient.DescribeTableAsync(name)).Table.LatestStreamArn;
        var source = await SourceReadback.ReadAllAsync(aws.Streams, streamArn);

        await using var bridge = BridgeProcess.Start(settings);
        await aws.WaitForDistinctAsync(name + "-out", source.Count - 3, bridge);
        if (policy == "DeadLetter")
        {
            var letters = await ReadDeadLettersAsync(name + "-dlq", expected: 3, bridge);
            Assert.Equal(3, letters.Count);
            Assert.All(letters, l => Assert.Contains("\"reason\":\"MissingKey\"", l, StringComparison.Ordinal));
        }

        Assert.Equal(0, await bridge.StopAsync());
        Assert.Equal(source.Count - 3, (await aws.ReadTargetAsync(name + "-out")).Count);
        Assert.Contains("(keys roomId=room-0000, ts=100000)", bridge.Output, StringComparison.Ordinal);
    }

    private async Task<List<string>> ReadDeadLettersAsync(string stream, int expected, BridgeProcess bridge)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        while (true)
        {
            var shard = (await aws.KinesisClient.ListShardsAsync(KinesisStreamRef.FromName(stream), null, CancellationToken.None)).Shards[0];
            var iterator = await aws.KinesisClient.GetShardIteratorAsync(KinesisStreamRef.FromName(stream), shard.ShardId, KinesisIteratorType.TrimHorizon, null, CancellationToken.None);
            var page = await aws.KinesisClient.GetRecordsAsync(iterator, 100, CancellationToken.None);
            if (page.Records.Length >= expected || DateTimeOffset.UtcNow > deadline || bridge.HasExited)
            {
                return [.. page.Records.Select(r => System.Text.Encoding.UTF8.GetString(r.Data.Span))];
            }

            await Task.Delay(300);
        }
    }
}
