using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Testing;

namespace Bridge.IntegrationTests.Observability;

/// <summary>DynamoDB Local and kinesalite, shared by the tests of one class; each test uses its own table and stream.</summary>
public sealed class EmulatorPair : IAsyncLifetime
{
    public EmulatorProcess DynamoDb { get; private set; } = null!;

    public EmulatorProcess Kinesis { get; private set; } = null!;

    public AmazonDynamoDBClient Tables { get; private set; } = null!;

    public IKinesisClient KinesisClient { get; private set; } = null!;

    public IDynamoDbStreamsClient Streams { get; private set; } = null!;

    private AwsClientFactory _factory = null!;
    private AwsClientFactory _streamsFactory = null!;

    public async Task InitializeAsync()
    {
        var dynamo = LocalAws.StartDynamoDbLocalAsync();
        var kinesis = LocalAws.StartKinesaliteAsync();
        DynamoDb = await dynamo;
        Kinesis = await kinesis;
        Tables = new AmazonDynamoDBClient(EmulatorProcess.Credentials, new AmazonDynamoDBConfig { ServiceURL = DynamoDb.Endpoint.ToString(), AuthenticationRegion = EmulatorProcess.Region });
        _factory = Kinesis.CreateClientFactory();
        KinesisClient = _factory.CreateKinesisClient();
        _streamsFactory = DynamoDb.CreateClientFactory();
        Streams = _streamsFactory.CreateDynamoDbStreamsClient();
    }

    public async Task DisposeAsync()
    {
        Tables?.Dispose();
        _factory?.Dispose();
        _streamsFactory?.Dispose();
        if (DynamoDb is not null)
        {
            await DynamoDb.ThawAsync();
            await DynamoDb.DisposeAsync();
        }

        if (Kinesis is not null)
        {
            await Kinesis.DisposeAsync();
        }
    }
}

/// <summary>The real Bridge.Host process over the emulators: what an operator scrapes, reads in CloudWatch and sees
/// from the health check. Every wait is for a condition, with a generous limit; nothing asserts on timing.</summary>
public sealed class ObservabilityTests(EmulatorPair aws) : IClassFixture<EmulatorPair>
{
    private const string ServiceName = "obs-test";
    private const string Namespace = "DynamoDbKinesisBridge";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Scraped_counters_equal_the_records_in_Kinesis_lag_is_per_shard_and_EMF_names_the_CDK_metrics()
    {
        const int Records = 150;
        var (table, stream) = await CreateTableAndStreamAsync(targetShards: 2);
        await PutItemsAsync(table, Records);
        var prometheusPort = BridgeProcess.FreePort();
        await using var bridge = BridgeProcess.Start(Environment(table, stream, prometheusPort, BridgeProcess.FreePort(), stallTimeout: "00:02:00"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        async Task<List<PrometheusSample>> ScrapeAsync() => PrometheusText.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{prometheusPort}/metrics")));

        // The Prometheus counter reaches the workload's size...
        var samples = await EventuallyAsync(bridge, async () =>
        {
            var scraped = await ScrapeAsync();
            return scraped.Sum("bridge_sink_records_forwarded_total") >= Records ? scraped : null;
        });

        // ...and equals what Kinesis holds: nothing counted that was not written, nothing written twice.
        Assert.Equal(Records, samples.Sum("bridge_sink_records_forwarded_total"));
        Assert.Equal(Records, await CountKinesisRecordsAsync(stream));
        Assert.Equal(Records, samples.Sum("bridge_source_records_read_total"));
        Assert.True(samples.Sum("bridge_sink_bytes_forwarded_bytes_total") > 0);
        Assert.True(samples.Sum("bridge_sink_put_records_requests_total") > 0);

        // Lag and time since the last read are reported per source shard; latency per table, one observation per record.
        var shardIds = await SourceShardIdsAsync(table);
        var lag = samples.Where(s => s.Name == "bridge_source_lag_seconds").ToList();
        Assert.NotEmpty(lag);
        Assert.All(lag, s => Assert.Contains(s.Labels["shard"], shardIds));
        Assert.All(lag, s => Assert.Equal(table, s.Labels["table"]));
        Assert.Contains(samples, s => s.Name == "bridge_source_since_last_read_seconds" && shardIds.Contains(s.Labels["shard"]));
        Assert.Contains(samples, s => s.Name == "bridge_checkpoint_age_seconds" && shardIds.Contains(s.Labels["shard"]));
        Assert.Equal(Records, samples.Where(s => s.Name == "bridge_forward_latency_seconds_count" && s.Labels["table"] == table).Sum(s => s.Value));
        Assert.Contains(samples, s => s.Name == "bridge_sink_in_flight_records" && s.Labels["stream"] == stream);

        // Once every record is acknowledged and reads find nothing new, the bridge is at the tip: lag 0, not "age of the last change".
        await EventuallyAsync(bridge, async () =>
        {
            var scraped = await ScrapeAsync();
            var shardLag = scraped.Where(s => s.Name == "bridge_source_lag_seconds").ToList();
            return shardLag.Count > 0 && shardLag.All(s => s.Value == 0) ? "caught up" : null;
        });

        // EMF (delta per interval): the lines add up to the same count, are valid EMF, and carry every CDK metric name.
        var emf = await EventuallyAsync(bridge, () =>
        {
            var lines = bridge.Lines.Where(EmfLine.IsEmf).Select(l => EmfLine.Validate(l, Namespace, ServiceName)).ToList();
            return Task.FromResult(lines.Sum(l => l.GetValueOrDefault("RecordsForwarded")) >= Records ? lines : null);
        });
        Assert.Equal(Records, emf.Sum(l => l["RecordsForwarded"]));
        Assert.Equal(Records, emf.Sum(l => l["RecordsRead"]));
        var emitted = emf.SelectMany(l => l.Keys).ToHashSet();

        // Two of them exist only while there is something to measure: the watermark in Merge mode, a backfill's progress
        // while one runs. This Shard-mode run without a backfill cannot emit them; the worker's map must still have them.
        string[] conditional = ["WatermarkDelayMs", "BackfillProgressPercent"];
        Assert.All(EmfLine.CdkMetricNames().Except(conditional), name => Assert.Contains(name, emitted));
        Assert.All(conditional, name => Assert.Contains(name, Bridge.Host.Telemetry.CloudWatchMetricMap.Names));
        Assert.Subset(EmfLine.CdkMetricNames().ToHashSet(), conditional.ToHashSet());

        // JSON logs: lifecycle events are single JSON lines whose fields carry table and shard.
        var started = bridge.Lines.Where(l => l.StartsWith('{') && !EmfLine.IsEmf(l)).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("EventId").GetInt32() == 1101).ToList();
        Assert.NotEmpty(started);
        Assert.All(started, e =>
        {
            Assert.Equal(table, e.GetProperty("State").GetProperty("Table").GetString());
            Assert.Contains(e.GetProperty("State").GetProperty("ShardId").GetString()!, shardIds);
        });
    }

    [Fact]
    public async Task Health_turns_unhealthy_while_the_source_is_frozen_and_healthy_again_after_it_thaws()
    {
        var (table, stream) = await CreateTableAndStreamAsync(targetShards: 1);
        await PutItemsAsync(table, 5);
        var healthPort = BridgeProcess.FreePort();
        var environment = Environment(table, stream, BridgeProcess.FreePort(), healthPort, stallTimeout: "00:00:03");

        // Short wire attempts, so the frozen source surfaces as read errors (not just a slow call) within the test.
        environment["Aws__AttemptTimeout"] = "00:00:01";
        environment["Aws__MaxAttempts"] = "2";

        // All exporters but CloudWatch (which would call AWS) at once; the OTLP collector is a loopback port nobody answers.
        environment["Bridge__Metrics__Exporter"] = "Prometheus, Emf, Otlp";
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{BridgeProcess.FreePort()}";
        await using var bridge = BridgeProcess.Start(environment);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var health = new Uri($"http://127.0.0.1:{healthPort}/health");
        var ready = new Uri($"http://127.0.0.1:{healthPort}/ready");

        await EventuallyAsync(bridge, async () => await StatusAsync(http, ready) == 200 ? "ready" : null);
        Assert.Equal(200, await StatusAsync(http, health));
        Assert.Equal(0, await bridge.RunHealthCheckAsync());

        // A frozen source answers nothing: after the stall timeout the shard is reported, and the check fails.
        await aws.DynamoDb.FreezeAsync();
        try
        {
            var body = await EventuallyAsync(bridge, async () =>
            {
                using var response = await http.GetAsync(health);
                var text = await response.Content.ReadAsStringAsync();
                return (int)response.StatusCode == 503 && text.Contains("TimeoutException", StringComparison.Ordinal) ? text : null;
            });
            using var report = JsonDocument.Parse(body);
            Assert.False(report.RootElement.GetProperty("healthy").GetBoolean());
            Assert.Contains("made no progress", report.RootElement.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
            var shard = Assert.Single(report.RootElement.GetProperty("shards").EnumerateArray());
            Assert.True(shard.GetProperty("readFailures").GetInt32() >= 1);
            Assert.StartsWith("TimeoutException", shard.GetProperty("lastReadError").GetString(), StringComparison.Ordinal);
            Assert.Equal(503, await StatusAsync(http, ready));
            Assert.Equal(1, await bridge.RunHealthCheckAsync());
        }
        finally
        {
            await aws.DynamoDb.ThawAsync();
        }

        // The same process recovers by itself once reads succeed again, and keeps forwarding.
        await EventuallyAsync(bridge, async () => await StatusAsync(http, health) == 200 ? "healthy" : null);
        Assert.Equal(0, await bridge.RunHealthCheckAsync());
        await PutItemsAsync(table, 5, firstKey: 5);
        await EventuallyAsync(bridge, async () => await CountKinesisRecordsAsync(stream) >= 10 ? "forwarded" : null);
        Assert.Equal(10, await CountKinesisRecordsAsync(stream));
        Assert.False(bridge.HasExited, bridge.Output);

        // The outage was logged once when it began and once when it ended, not per attempt.
        var events = bridge.Lines.Where(l => l.StartsWith("{\"Timestamp\"", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("EventId").GetInt32()).ToList();
        Assert.Equal(1, events.Count(id => id == 1107));
        Assert.Equal(1, events.Count(id => id == 1108));
    }

    private Dictionary<string, string> Environment(string table, string stream, int prometheusPort, int healthPort, string stallTimeout)
    {
        var environment = BridgeProcess.EmulatorEnvironment(aws.DynamoDb.Endpoint, aws.Kinesis.Endpoint);
        environment["Bridge__Sources__0__TableName"] = table;
        environment["Bridge__Sources__0__PartitionKey"] = "roomId";
        environment["Bridge__Target__StreamName"] = stream;
        environment["Bridge__Checkpoints__TableName"] = table + "-checkpoints";
        environment["Bridge__Checkpoints__Interval"] = "00:00:01";
        environment["Bridge__Metrics__Exporter"] = "Prometheus,Emf";
        environment["Bridge__Metrics__PrometheusPort"] = prometheusPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Bridge__Metrics__EmfInterval"] = "00:00:01";
        environment["Bridge__Metrics__ServiceName"] = ServiceName;
        environment["Bridge__Health__Port"] = healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Bridge__Health__StallTimeout"] = stallTimeout;
        environment["Logging__Console__FormatterName"] = "json";
        return environment;
    }

    private async Task<(string Table, string Stream)> CreateTableAndStreamAsync(int targetShards)
    {
        var name = "obs" + Guid.NewGuid().ToString("N")[..12];
        await aws.Tables.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            KeySchema = [new KeySchemaElement("roomId", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("roomId", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_IMAGE },
        });
        await aws.KinesisClient.CreateActiveStreamAsync(name, targetShards);

        return (name, name);
    }

    private async Task PutItemsAsync(string table, int count, int firstKey = 0)
    {
        for (var i = firstKey; i < firstKey + count; i++)
        {
            await aws.Tables.PutItemAsync(table, new Dictionary<string, AttributeValue>
            {
                ["roomId"] = new() { S = $"room-{i}" },
                ["text"] = new() { S = $"message {i}" },
            });
        }
    }

    private async Task<HashSet<string>> SourceShardIdsAsync(string table)
    {
        var description = await aws.Tables.DescribeTableAsync(table);
        var shards = await aws.Streams.DescribeAllShardsAsync(description.Table.LatestStreamArn, CancellationToken.None);
        return [.. shards.Shards.Select(s => s.ShardId)];
    }

    private async Task<int> CountKinesisRecordsAsync(string stream)
    {
        var count = 0;
        var reference = KinesisStreamRef.FromName(stream);
        foreach (var shard in await aws.KinesisClient.ListAllShardsAsync(reference, CancellationToken.None))
        {
            var iterator = await aws.KinesisClient.GetShardIteratorAsync(reference, shard.ShardId, KinesisIteratorType.TrimHorizon, null, CancellationToken.None);
            while (iterator is not null)
            {
                var page = await aws.KinesisClient.GetRecordsAsync(iterator, 10_000, CancellationToken.None);
                count += page.Records.Length;
                if (page.Records.Length == 0)
                {
                    break;
                }

                iterator = page.NextShardIterator;
            }
        }

        return count;
    }

    private static async Task<int> StatusAsync(HttpClient http, Uri uri)
    {
        try
        {
            using var response = await http.GetAsync(uri);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    /// <summary>Polls until <paramref name="probe"/> returns a value; fails with the bridge's output if it exits or time runs out.</summary>
    private static async Task<T> EventuallyAsync<T>(BridgeProcess bridge, Func<Task<T?>> probe)
        where T : class
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            Assert.False(bridge.HasExited, "the bridge exited:\n" + bridge.Output);
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.IsCancellationRequested)
            {
                Assert.Fail("condition not met in time; bridge output:\n" + bridge.Output);
            }

            await Task.Delay(200);
        }
    }
}
