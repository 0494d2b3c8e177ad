using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Bridge.Output;
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

    [Fact]
    public async Task Every_projection_in_the_default_format_is_the_source_record_field_by_field_less_what_it_drops()
    {
        Projection[] sources =
        [
            new("proj-default"),
            new("proj-old", Images: "Old"),
            new("proj-keys", Images: "KeysOnly"),
            new("proj-include", Include: ["body", "tenant"]),
            new("proj-exclude", Exclude: ["body", "seenAt"]),
        ];
        var read = await ForwardInsertModifyRemoveAsync("proj-out", OutputFormat.StreamRecord, sources);

        foreach (var (source, records) in read)
        {
            Assert.Equal(["INSERT", "MODIFY", "REMOVE"], records.Select(r => r.Forwarded.GetProperty("eventName").GetString()));
            var (insert, modify, remove) = (Dynamodb(records[0]), Dynamodb(records[1]), Dynamodb(records[2]));
            switch (source.Table)
            {
                case "proj-default":
                    Assert.Equal("hello", insert.GetProperty("NewImage").GetProperty("body").GetProperty("S").GetString());
                    Assert.Equal("edited", modify.GetProperty("NewImage").GetProperty("body").GetProperty("S").GetString());
                    Assert.Equal("hello", modify.GetProperty("OldImage").GetProperty("body").GetProperty("S").GetString());
                    Assert.Equal("edited", remove.GetProperty("OldImage").GetProperty("body").GetProperty("S").GetString());
                    Assert.False(remove.TryGetProperty("NewImage", out _));
                    break;
                case "proj-old":
                    Assert.False(insert.TryGetProperty("NewImage", out _) || insert.TryGetProperty("OldImage", out _));
                    Assert.False(modify.TryGetProperty("NewImage", out _));
                    Assert.Equal("hello", modify.GetProperty("OldImage").GetProperty("body").GetProperty("S").GetString());
                    Assert.Equal("edited", remove.GetProperty("OldImage").GetProperty("body").GetProperty("S").GetString());
                    break;
                case "proj-keys":
                    foreach (var record in new[] { insert, modify, remove })
                    {
                        Assert.False(record.TryGetProperty("NewImage", out _) || record.TryGetProperty("OldImage", out _));
                        Assert.Equal("room-1", record.GetProperty("Keys").GetProperty("roomId").GetProperty("S").GetString());
                        Assert.Equal("1", record.GetProperty("Keys").GetProperty("ts").GetProperty("N").GetString());
                    }

                    break;
                case "proj-include":
                    foreach (var image in new[] { insert.GetProperty("NewImage"), modify.GetProperty("NewImage"), modify.GetProperty("OldImage"), remove.GetProperty("OldImage") })
                    {
                        Assert.Equal(["body", "tenant"], image.EnumerateObject().Select(a => a.Name).Order());
                        Assert.Equal("t1", image.GetProperty("tenant").GetProperty("S").GetString());
                    }

                    Assert.Equal("edited", modify.GetProperty("NewImage").GetProperty("body").GetProperty("S").GetString());
                    Assert.Equal("room-1", modify.GetProperty("Keys").GetProperty("roomId").GetProperty("S").GetString()); // Keys are never projected
                    break;
                default:
                    foreach (var image in new[] { insert.GetProperty("NewImage"), modify.GetProperty("NewImage"), modify.GetProperty("OldImage"), remove.GetProperty("OldImage") })
                    {
                        Assert.Equal(["roomId", "tenant", "ts", "type"], image.EnumerateObject().Select(a => a.Name).Order());
                    }

                    Assert.Equal("message", modify.GetProperty("OldImage").GetProperty("type").GetProperty("S").GetString());
                    break;
            }
        }
    }

    [Fact]
    public async Task The_Lambda_format_is_the_record_of_a_Lambda_DynamoDB_event_field_by_field()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        Projection[] sources = [new("lambda-default"), new("lambda-new", Images: "New", Exclude: ["seenAt"])];
        var read = await ForwardInsertModifyRemoveAsync("lambda-out", OutputFormat.Lambda, sources);
        var after = DateTimeOffset.UtcNow.AddMinutes(1);

        foreach (var (source, records) in read)
        {
            Assert.Equal(["INSERT", "MODIFY", "REMOVE"], records.Select(r => r.Forwarded.GetProperty("eventName").GetString()));
            foreach (var (shardId, streamArn, recordSource, forwarded) in records)
            {
                // A record of Lambda's DynamoDB event, then the bridge's sourceShardId; no tableName.
                Assert.Equal(
                    ["awsRegion", "dynamodb", "eventID", "eventName", "eventSource", "eventSourceARN", "eventVersion", "sourceShardId"],
                    forwarded.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
                Assert.False(string.IsNullOrEmpty(forwarded.GetProperty("awsRegion").GetString())); // DynamoDB Local's is "ddblocal"
                Assert.False(string.IsNullOrEmpty(forwarded.GetProperty("eventID").GetString()));
                Assert.Equal("1.1", forwarded.GetProperty("eventVersion").GetString());
                Assert.Equal("aws:dynamodb", forwarded.GetProperty("eventSource").GetString());
                Assert.Equal(streamArn, forwarded.GetProperty("eventSourceARN").GetString());
                Assert.Equal(shardId, forwarded.GetProperty("sourceShardId").GetString());

                var dynamodb = forwarded.GetProperty("dynamodb");
                string eventName = forwarded.GetProperty("eventName").GetString()!;
                bool hasNew = eventName != "REMOVE", hasOld = eventName != "INSERT" && source.Images == "Both";
                Assert.Equal(
                    new[] { "ApproximateCreationDateTime", "Keys", "NewImage", "OldImage", "SequenceNumber", "SizeBytes", "StreamViewType" }
                        .Where(name => name switch { "NewImage" => hasNew, "OldImage" => hasOld, _ => true }),
                    dynamodb.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
                Assert.Equal(JsonValueKind.Number, dynamodb.GetProperty("ApproximateCreationDateTime").ValueKind);
                Assert.InRange(dynamodb.GetProperty("ApproximateCreationDateTime").GetDouble(), before.ToUnixTimeSeconds(), after.ToUnixTimeSeconds()); // seconds
                Assert.Equal(recordSource.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString(), dynamodb.GetProperty("SequenceNumber").GetString());
                Assert.True(dynamodb.GetProperty("SizeBytes").GetInt64() > 0);
                Assert.Equal("NEW_AND_OLD_IMAGES", dynamodb.GetProperty("StreamViewType").GetString());
                Assert.Equal("room-1", dynamodb.GetProperty("Keys").GetProperty("roomId").GetProperty("S").GetString());
                if (hasNew)
                {
                    Assert.Equal(eventName == "INSERT" ? "hello" : "edited", dynamodb.GetProperty("NewImage").GetProperty("body").GetProperty("S").GetString());
                    Assert.Equal(source.Exclude is null, dynamodb.GetProperty("NewImage").TryGetProperty("seenAt", out _));
                }
            }
        }
    }

    /// <summary>On each source table, one item inserted, modified and removed; one host run forwards them all into
    /// <paramref name="target"/> in <paramref name="format"/>. Returns each source's three records in order, each checked
    /// against the stream record it came from: every field as the stream sent it, less what the projection drops, plus the
    /// format's added fields.</summary>
    private async Task<List<(Projection Source, List<(string ShardId, string StreamArn, JsonElement Source, JsonElement Forwarded)> Records)>> ForwardInsertModifyRemoveAsync(
        string target, OutputFormat format, Projection[] sources)
    {
        await aws.CreateTargetAsync(target, shards: 2);
        var settings = aws.BridgeSettings(sources[0].Table, target, target + "-checkpoints");
        if (format != OutputFormat.StreamRecord)
        {
            settings["Bridge__Target__Format"] = format.ToString();
        }

        for (var i = 0; i < sources.Length; i++)
        {
            var source = sources[i];
            await aws.CreateTableAsync(source.Table);
            settings[$"Bridge__Sources__{i}__TableName"] = source.Table;
            settings[$"Bridge__Sources__{i}__PartitionKey"] = "roomId";
            if (source.Images != "Both")
            {
                settings[$"Bridge__Sources__{i}__Images"] = source.Images;
            }

            foreach (var (key, names) in new[] { ("IncludeAttributes", source.Include), ("ExcludeAttributes", source.Exclude) })
            {
                for (var n = 0; n < (names?.Length ?? 0); n++)
                {
                    settings[$"Bridge__Sources__{i}__{key}__{n}"] = names![n];
                }
            }

            List<bool> ignored = [];
            await PutAsync(source.Table, "room-1", 1, "message", seenAt: 1, ignored, forwarded: true);
            await PutAsync(source.Table, "room-1", 1, "message", seenAt: 2, ignored, forwarded: true, body: "edited");
            await DeleteAsync(source.Table, "room-1", 1, ignored, forwarded: true);
        }

        await using var bridge = BridgeProcess.Start(settings);
        var forwarded = await WaitForKinesisRecordsAsync(target, 3 * sources.Length, bridge);
        Assert.Equal(0, await bridge.StopAsync());
        Assert.Equal(3 * sources.Length, forwarded.Count);
        var byChange = forwarded.ToDictionary(r => (
            r.Json.RootElement.GetProperty("eventSourceARN").GetString()!,
            r.Json.RootElement.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!));

        var read = new List<(Projection, List<(string, string, JsonElement, JsonElement)>)>();
        foreach (var source in sources)
        {
            var streamArn = (await aws.DynamoDbClient.DescribeTableAsync(source.Table)).Table.LatestStreamArn;
            var records = new List<(string, string, JsonElement, JsonElement)>();
            foreach (var (shardId, record) in await SourceReadback.ReadRecordsAsync(aws.Streams, streamArn))
            {
                var sent = JsonDocument.Parse(record.Json).RootElement;
                var (partitionKey, document) = byChange[(streamArn, record.SequenceNumber.Value)];
                Assert.Equal("room-1", partitionKey);
                AssertIsSourceProjected(sent, document.RootElement, source, format, streamArn, shardId);
                records.Add((shardId, streamArn, sent, document.RootElement));
            }

            Assert.Equal(3, records.Count);
            read.Add((source, records));
        }

        return read;
    }

    /// <summary>The forwarded record is the stream record's fields in its order, each as sent, with the images the
    /// projection keeps holding the attributes it keeps, then the format's added fields.</summary>
    private static void AssertIsSourceProjected(JsonElement sent, JsonElement forwarded, Projection projection, OutputFormat format, string streamArn, string shardId)
    {
        string[] added = format == OutputFormat.StreamRecord ? ["tableName", "eventSourceARN", "sourceShardId"] : ["eventSourceARN", "sourceShardId"];
        Assert.Equal(sent.EnumerateObject().Select(p => p.Name).Concat(added), forwarded.EnumerateObject().Select(p => p.Name));
        foreach (var field in sent.EnumerateObject().Where(f => f.Name != "dynamodb"))
        {
            Assert.Equal(field.Value.GetRawText(), forwarded.GetProperty(field.Name).GetRawText());
        }

        var dynamodb = forwarded.GetProperty("dynamodb");
        var kept = sent.GetProperty("dynamodb").EnumerateObject().Where(p => !IsImage(p.Name) || projection.KeepsImage(p.Name)).ToList();
        Assert.Equal(kept.Select(p => p.Name), dynamodb.EnumerateObject().Select(p => p.Name));
        foreach (var part in kept.Where(p => !IsImage(p.Name)))
        {
            Assert.Equal(part.Value.GetRawText(), dynamodb.GetProperty(part.Name).GetRawText());
        }

        foreach (var image in kept.Where(p => IsImage(p.Name)))
        {
            var attributes = image.Value.EnumerateObject().Where(a => projection.KeepsAttribute(a.Name)).ToList();
            var copy = dynamodb.GetProperty(image.Name);
            Assert.Equal(attributes.Select(a => a.Name), copy.EnumerateObject().Select(a => a.Name));
            Assert.All(attributes, a => Assert.Equal(a.Value.GetRawText(), copy.GetProperty(a.Name).GetRawText()));
        }

        if (format == OutputFormat.StreamRecord)
        {
            Assert.Equal(projection.Table, forwarded.GetProperty("tableName").GetString());
        }

        Assert.Equal(streamArn, forwarded.GetProperty("eventSourceARN").GetString());
        Assert.Equal(shardId, forwarded.GetProperty("sourceShardId").GetString());

        static bool IsImage(string name) => name is "NewImage" or "OldImage";
    }

    private static JsonElement Dynamodb((string, string, JsonElement, JsonElement Forwarded) record) => record.Forwarded.GetProperty("dynamodb");

    /// <summary>A source table and what it asks of its records (<c>Images</c>, <c>IncludeAttributes</c>, <c>ExcludeAttributes</c>), as configured.</summary>
    private sealed record Projection(string Table, string Images = "Both", string[]? Include = null, string[]? Exclude = null)
    {
        public bool KeepsImage(string image) => Images switch
        {
            "Both" => true,
            "New" => image == "NewImage",
            "Old" => image == "OldImage",
            _ => false,
        };

        public bool KeepsAttribute(string name) => (Include is null || Include.Contains(name)) && (Exclude is null || !Exclude.Contains(name));
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
