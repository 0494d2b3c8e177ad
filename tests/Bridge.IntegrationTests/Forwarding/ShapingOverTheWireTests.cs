using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Bridge.Testing;
using Bridge.Testing.Chat;

namespace Bridge.IntegrationTests.Forwarding;

/// <summary>Filters, key templates, projection and the native output format through the real host, DynamoDB Local → kinesalite.</summary>
public sealed class ShapingOverTheWireTests(ChatEmulators aws) : IClassFixture<ChatEmulators>
{
    /// <summary>The filter a user has in a Lambda event source mapping: inserts and modifies of anything but locks.</summary>
    private const string NoLocksNoRemoves = """{"Filters":[{"Pattern":"{\"eventName\":[\"INSERT\",\"MODIFY\"],\"dynamodb\":{\"NewImage\":{\"type\":{\"S\":[{\"anything-but\":[\"lock\"]}]}}}}"}]}""";

    [Fact]
    public async Task Filtered_records_never_reach_Kinesis_and_the_checkpoint_passes_them_so_a_restart_resends_nothing()
    {
        const string name = "shaping-filter";
        var settings = await SetUpAsync(name);
        settings["Bridge__Sources__0__Filter"] = NoLocksNoRemoves;
        settings["Bridge__Sources__0__IgnoreModifiesOf__0"] = "seenAt";
        settings["Bridge__Sources__0__IgnoreModifiesOf__1"] = "expiresAt";

        var prometheusPort = BridgeProcess.FreePort();
        settings["Bridge__Metrics__Exporter"] = "Prometheus";
        settings["Bridge__Metrics__PrometheusPort"] = prometheusPort.ToString(CultureInfo.InvariantCulture);

        // Every change, in the order it is made, with whether it must be forwarded. A filtered change comes first, so a
        // checkpoint that did not pass filtered records would stay before everything, and a restart would resend it all.
        var expected = new List<bool>();
        await PutAsync(name, "room-1", 1, "lock", seenAt: 1, expected, forwarded: false);
        for (int ts = 2; ts < 12; ts++)
        {
            await PutAsync(name, "room-" + (ts % 3), ts, "message", seenAt: 1, expected, forwarded: true);
        }

        await PutAsync(name, "room-2", 2, "message", seenAt: 2, expected, forwarded: false); // IgnoreModifiesOf: the heartbeat only
        await PutAsync(name, "room-2", 2, "message", seenAt: 3, expected, forwarded: true, body: "edited"); // the heartbeat and the body
        await PutAsync(name, "room-0", 3, "lock", seenAt: 1, expected, forwarded: false); // a message became a lock
        await DeleteAsync(name, "room-1", 4, expected, forwarded: false); // REMOVE
        await PutAsync(name, "room-0", 40, "lock", seenAt: 1, expected, forwarded: false); // the last change is filtered

        var streamArn = (await aws.DynamoDbClient.DescribeTableAsync(name)).Table.LatestStreamArn;
        var source = await SourceReadback.ReadAllAsync(aws.Streams, streamArn);
        Assert.Equal(expected.Count, source.Count);
        var mustArrive = source.Where((_, i) => expected[i]).Select(c => c.SequenceNumber).ToHashSet();
        var filtered = source.Where((_, i) => !expected[i]).Select(c => c.SequenceNumber).ToHashSet();

        await using (var bridge = BridgeProcess.Start(settings))
        {
            await aws.WaitUntilAsync(name + "-out", records => records.Count >= mustArrive.Count, bridge);
            await WaitForCheckpointAsync(name + "-checkpoints", source[^1].SequenceNumber, bridge);

            // Counted per source and reason.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var samples = Observability.PrometheusText.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{prometheusPort}/metrics")))
                .Where(s => s.Name == "bridge_records_filtered_total" && s.Labels["table"] == name).ToList();
            Assert.Equal(4, samples.Where(s => s.Labels["reason"] == "Filter").Sum(s => s.Value));
            Assert.Equal(1, samples.Where(s => s.Labels["reason"] == "IgnoreModifiesOf").Sum(s => s.Value));
            Assert.Equal(0, await bridge.StopAsync());
        }

        // Once more with a new forwarded change: nothing of the first run is sent again.
        settings["Bridge__Metrics__Exporter"] = "None";
        await PutAsync(name, "room-9", 99, "message", seenAt: 1, expected, forwarded: true);
        await using (var again = BridgeProcess.Start(settings))
        {
            await aws.WaitUntilAsync(name + "-out", records => records.Count >= mustArrive.Count + 1, again);
            await Task.Delay(TimeSpan.FromSeconds(2)); // a resend would be the whole backlog, read in the same first poll
            Assert.Equal(0, await again.StopAsync());
        }

        var forwarded = (await aws.ReadTargetAsync(name + "-out")).Select(r => r.SequenceNumber).ToList();
        Assert.Equal(mustArrive.Count + 1, forwarded.Count);
        Assert.Equal(forwarded.Count, forwarded.Distinct().Count());
        Assert.Superset(mustArrive, forwarded.ToHashSet());
        Assert.DoesNotContain(forwarded, filtered.Contains);
    }

    [Fact]
    public async Task The_native_format_with_a_key_template_and_projection_is_what_a_native_consumer_reads()
    {
        const string name = "shaping-native";
        var settings = await SetUpAsync(name);
        settings["Bridge__Target__Format"] = "KinesisDataStreamsForDynamoDB";
        settings["Bridge__Sources__0__PartitionKey"] = "{tenant}#{roomId}";
        settings["Bridge__Sources__0__PartitionKeyPattern"] = "^(?<key>[^#]+#[^:]+:[^:]+):";
        settings["Bridge__Sources__0__Images"] = "New";
        settings["Bridge__Sources__0__ExcludeAttributes__0"] = "body";

        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var expected = new List<bool>();
        await PutAsync(name, "12:12:general", 1, "message", seenAt: 1, expected, forwarded: true, tenant: "acme");
        await PutAsync(name, "12:12:general", 1, "message", seenAt: 2, expected, forwarded: true, tenant: "acme", body: "edited");
        await DeleteAsync(name, "12:12:general", 1, expected, forwarded: true);

        await using var bridge = BridgeProcess.Start(settings);
        var records = await WaitForKinesisRecordsAsync(name + "-out", 3, bridge);
        Assert.Equal(0, await bridge.StopAsync());

        var streamArn = (await aws.DynamoDbClient.DescribeTableAsync(name)).Table.LatestStreamArn;
        var source = await SourceReadback.ReadAllAsync(aws.Streams, streamArn);
        var byEvent = records.ToDictionary(r => r.Json.RootElement.GetProperty("sequenceNumber").GetString()!);
        Assert.Equal(source.Select(c => c.SequenceNumber).ToHashSet(), byEvent.Keys.ToHashSet());
        foreach (var (change, i) in source.Select((c, i) => (c, i)))
        {
            var (partitionKey, document) = byEvent[change.SequenceNumber];
            var root = document.RootElement;
            Assert.Equal("acme#12:12", partitionKey); // the template, then the pattern's key group
            Assert.Equal(
                ["awsRegion", "eventID", "eventName", "userIdentity", "recordFormat", "tableName", "dynamodb", "eventSource", "eventSourceARN", "sourceShardId", "sequenceNumber"],
                root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(change.EventName, root.GetProperty("eventName").GetString());
            Assert.Equal("application/json", root.GetProperty("recordFormat").GetString());
            Assert.Equal(name, root.GetProperty("tableName").GetString());
            Assert.Equal("aws:dynamodb", root.GetProperty("eventSource").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("userIdentity").ValueKind);
            Assert.Equal(streamArn, root.GetProperty("eventSourceARN").GetString());
            Assert.Equal(change.ShardId, root.GetProperty("sourceShardId").GetString());
            var dynamodb = root.GetProperty("dynamodb");
            long created = dynamodb.GetProperty("ApproximateCreationDateTime").GetInt64();
            Assert.InRange(created, before.ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds()); // milliseconds
            Assert.True(dynamodb.GetProperty("SizeBytes").GetInt64() > 0);
            Assert.Equal("12:12:general", dynamodb.GetProperty("Keys").GetProperty("roomId").GetProperty("S").GetString());
            Assert.False(dynamodb.TryGetProperty("OldImage", out _)); // Images = New
            Assert.False(dynamodb.TryGetProperty("SequenceNumber", out _));
            Assert.Equal(i < 2, dynamodb.TryGetProperty("NewImage", out var image));
            if (i < 2)
            {
                Assert.False(image.TryGetProperty("body", out _)); // excluded
                Assert.Equal("acme", image.GetProperty("tenant").GetProperty("S").GetString());
            }
        }
    }

    /// <summary>A chat table <paramref name="name"/>, a 2-shard target <c>NAME-out</c>, and the host settings between them.</summary>
    private async Task<Dictionary<string, string>> SetUpAsync(string name)
    {
        await aws.CreateTableAsync(name);
        await aws.CreateTargetAsync(name + "-out", shards: 2);
        return aws.BridgeSettings(name, name + "-out", name + "-checkpoints");
    }

    private async Task<List<(string PartitionKey, JsonDocument Json)>> WaitForKinesisRecordsAsync(string stream, int count, BridgeProcess bridge)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
        while (true)
        {
            var records = await KinesisReadback.ReadKinesisRecordsAsync(aws.KinesisClient, stream);
            if (records.Count >= count || bridge.HasExited || DateTimeOffset.UtcNow > deadline)
            {
                Assert.True(records.Count >= count, bridge.Output);
                return [.. records.Select(r => (r.Record.PartitionKey, JsonDocument.Parse(r.Record.Data)))];
            }

            await Task.Delay(300);
        }
    }

    private async Task WaitForCheckpointAsync(string table, string sequenceNumber, BridgeProcess bridge)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        while (true)
        {
            var items = (await aws.DynamoDbClient.ScanAsync(new ScanRequest { TableName = table })).Items;
            var checkpoints = items.Where(i => i.ContainsKey("checkpoint")).Select(i => i["checkpoint"].S).ToList();
            if (checkpoints.Contains(sequenceNumber))
            {
                return;
            }

            Assert.False(bridge.HasExited || DateTimeOffset.UtcNow > deadline, $"checkpoints {string.Join(", ", checkpoints)}, want {sequenceNumber}\n{bridge.Output}");
            await Task.Delay(300);
        }
    }

    private async Task PutAsync(string table, string roomId, long ts, string type, long seenAt, List<bool> expected, bool forwarded, string body = "hello", string tenant = "t1")
    {
        await aws.DynamoDbClient.PutItemAsync(new PutItemRequest
        {
            TableName = table,
            Item = new()
            {
                ["roomId"] = new AttributeValue { S = roomId },
                ["ts"] = new AttributeValue { N = ts.ToString(CultureInfo.InvariantCulture) },
                ["type"] = new AttributeValue { S = type },
                ["body"] = new AttributeValue { S = body },
                ["tenant"] = new AttributeValue { S = tenant },
                ["seenAt"] = new AttributeValue { N = seenAt.ToString(CultureInfo.InvariantCulture) },
            },
        });
        expected.Add(forwarded);
    }

    private async Task DeleteAsync(string table, string roomId, long ts, List<bool> expected, bool forwarded)
    {
        await aws.DynamoDbClient.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = table,
            Key = new() { ["roomId"] = new AttributeValue { S = roomId }, ["ts"] = new AttributeValue { N = ts.ToString(CultureInfo.InvariantCulture) } },
        });
        expected.Add(forwarded);
    }
}
