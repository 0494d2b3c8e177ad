using System.Text.Json;
using Bridge.IntegrationTests.Forwarding;
using Bridge.Testing;

namespace Bridge.IntegrationTests.Backfill;

/// <summary>A backfill goes out shaped as the source's stream records are: its filter, its projection, its format.</summary>
public sealed class BackfillShapingTests(ChatEmulators aws) : IClassFixture<ChatEmulators>
{
    [Fact]
    public async Task The_backfill_command_filters_projects_and_writes_the_native_format_as_for_stream_records()
    {
        const int Items = 300;
        await aws.CreateTableAsync("bf-shaped");
        var table = new ItemsTable(aws.DynamoDbClient, "bf-shaped");
        await table.FillAsync(Items, rooms: 4);
        await aws.CreateTargetAsync("bf-shaped-out", shards: 2);
        var settings = aws.BridgeSettings(table.TableName, "bf-shaped-out", "bf-shaped-checkpoints", startPosition: "LATEST");
        settings["Bridge__Target__Format"] = "KinesisDataStreamsForDynamoDB";
        settings["Bridge__Sources__0__ExcludeAttributes__0"] = "body";
        settings["Bridge__Sources__0__Filter"] = """{"dynamodb":{"NewImage":{"pinned":{"BOOL":[false]}}}}""";

        await using (var command = BridgeProcess.Start(settings, ["backfill", "--table", table.TableName, "--run", "shaped"]))
        {
            Assert.Equal(0, await command.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        }

        // ItemsTable pins every item whose ts is a multiple of 3: the filter keeps the others.
        var expected = (await table.ReadAllAsync()).Count(item => !JsonDocument.Parse(item.Value).RootElement.GetProperty("pinned").GetProperty("BOOL").GetBoolean());
        var records = await Bridge.Testing.Chat.KinesisReadback.ReadKinesisRecordsAsync(aws.KinesisClient, "bf-shaped-out");
        var forwarded = records.Select(r => JsonDocument.Parse(r.Record.Data).RootElement).ToList();
        Assert.InRange(expected, Items / 2, Items - 1);
        Assert.Equal(expected, forwarded.Select(r => r.GetProperty("dynamodb").GetProperty("Keys").GetRawText()).Distinct().Count());
        Assert.All(forwarded, record =>
        {
            Assert.Equal(
                ["awsRegion", "eventID", "eventName", "userIdentity", "recordFormat", "tableName", "dynamodb", "eventSource", "eventSourceARN", "sourceShardId", "backfill", "backfillRun", "scanStartedAt"],
                record.EnumerateObject().Select(p => p.Name));
            // The stream ARN's region, as the table's stream records carry it (DynamoDB Local says "ddblocal").
            Assert.Equal(record.GetProperty("eventSourceARN").GetString()!.Split(':')[3], record.GetProperty("awsRegion").GetString());
            Assert.Equal("INSERT", record.GetProperty("eventName").GetString());
            Assert.Equal("application/json", record.GetProperty("recordFormat").GetString());
            Assert.Equal("shaped", record.GetProperty("backfillRun").GetString());
            var image = record.GetProperty("dynamodb").GetProperty("NewImage");
            Assert.False(image.GetProperty("pinned").GetProperty("BOOL").GetBoolean());
            Assert.False(image.TryGetProperty("body", out _));
            Assert.True(image.TryGetProperty("meta", out _));
            Assert.True(record.GetProperty("dynamodb").GetProperty("ApproximateCreationDateTime").GetInt64() > 1_700_000_000_000);
        });
    }
}
