using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using System.Text.Json.Nodes;
using Bridge.Backfill;
using Bridge.IntegrationTests.Forwarding;
using Bridge.Testing;
using Xunit.Abstractions;

namespace Bridge.IntegrationTests.Backfill;

/// <summary>The real host on DynamoDB Local and kinesalite: a table with 20,000 items and changes running during the scan,
/// rebuilt from the target stream and compared item for item.</summary>
public sealed class BackfillTests(ChatEmulators aws, ITestOutputHelper output) : IClassFixture<ChatEmulators>
{
    private const int ExistingItems = 20_000;
    private const int Rooms = 200;
    private const string OrderAttribute = "updatedAt";

    [Fact]
    public async Task Snapshot_start_then_stream_rebuilds_the_table_exactly_while_it_changes_during_the_scan()
    {
        var table = await CreateFilledTableAsync("bf-snapshot");
        await aws.CreateTargetAsync("bf-snapshot-out", shards: 4);
        var settings = SlowScan(aws.BridgeSettings(table.TableName, "bf-snapshot-out", "bf-snapshot-checkpoints", startPosition: "Snapshot"));

        using var stopChanging = new CancellationTokenSource();
        var changing = table.ChangeUntilAsync(Rooms, seed: 1, stopChanging.Token);
        await using var bridge = BridgeProcess.Start(settings);
        await WaitForLineAsync(bridge, "Backfill bf-snapshot/snapshot: scanning segment");
        var changesWhenScanBegan = table.Changes;
        await WaitForLineAsync(bridge, "Backfill bf-snapshot/snapshot finished", TimeSpan.FromMinutes(4));
        var changesDuringScan = table.Changes - changesWhenScanBegan;
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stopChanging.CancelAsync();
        await changing;

        var replica = await WaitForReplicaAsync(table, "bf-snapshot-out", bridge, backfillDefersToNewerChanges: false);
        Assert.True(changesDuringScan > 100, $"only {changesDuringScan} changes were made while the table was scanned");

        // Each item scanned once (the sink may send a record twice after a timeout, at least once being the promise).
        Assert.InRange(replica.SnapshotEventIds.Count, ExistingItems - table.Changes, ExistingItems + table.Changes);
        Assert.Equal(0, await bridge.StopAsync());
        await AssertSnapshotRecordShapeAsync("bf-snapshot-out", table.TableName, "snapshot");

        // A restart does not scan again: the finished run is recorded.
        await using var restarted = BridgeProcess.Start(settings);
        await WaitForLineAsync(restarted, "Starting shard");
        Assert.DoesNotContain(restarted.Lines, l => l.Contains("scanning segment", StringComparison.Ordinal));
        Assert.Equal(0, await restarted.StopAsync());
    }

    [Fact]
    public async Task Backfill_command_killed_mid_scan_resumes_from_segment_checkpoints_while_the_bridge_forwards()
    {
        var table = await CreateFilledTableAsync("bf-command");
        await aws.CreateTargetAsync("bf-command-out", shards: 4);
        var settings = aws.BridgeSettings(table.TableName, "bf-command-out", "bf-command-checkpoints", startPosition: "LATEST");
        await using var bridge = BridgeProcess.Start(settings);
        await WaitForLineAsync(bridge, "Starting shard");

        await using var proxy = new RecordingProxy(aws.DynamoDb.Endpoint);
        var commandSettings = SlowScan(new Dictionary<string, string>(settings) { ["AWS_ENDPOINT_URL_DYNAMODB"] = proxy.Endpoint.ToString() });

        // Two segments at a time, at half the rate: four waves of segments, so a kill lands between done and unstarted ones.
        commandSettings["Bridge__Backfill__ConcurrentSegments"] = "2";
        commandSettings["Bridge__Backfill__ReadUnitsPerSecond"] = "20";
        string[] command = ["backfill", "--table", table.TableName, "--run", "consumer-b"];
        using var stopChanging = new CancellationTokenSource();
        var changing = table.ChangeUntilAsync(Rooms, seed: 2, stopChanging.Token);

        // First attempt: killed once some segments are done and others are part way.
        var store = new DynamoDbBackfillStore(aws.DynamoDbClient, "bf-command-checkpoints", TimeProvider.System);
        await using (var first = BridgeProcess.Start(commandSettings, command))
        {
            await WaitUntilMidScanAsync(store, table.TableName, "consumer-b", first);
            first.Kill();
            await first.WaitForExitAsync();
        }

        var runAfterKill = await store.GetRunAsync(table.TableName, "consumer-b", CancellationToken.None);
        Assert.False(runAfterKill!.IsFinished);
        var atKill = await store.ListSegmentsAsync(runAfterKill, CancellationToken.None);
        var firstAttemptScans = ScansOf(proxy, table.TableName);
        proxy.Clear();

        // Second attempt: the same command resumes (after the dead holder's segments expire) and finishes.
        await using (var second = BridgeProcess.Start(commandSettings, command))
        {
            Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromMinutes(4)));
            Assert.Contains(second.Lines, l => l.Contains("Backfill bf-command/consumer-b finished", StringComparison.Ordinal));
        }

        var resumedScans = ScansOf(proxy, table.TableName);
        var done = atKill.Where(s => s.IsDone).Select(s => s.Segment).ToHashSet();
        Assert.DoesNotContain(resumedScans, s => done.Contains(s.Segment));
        foreach (var segment in atKill.Where(s => !s.IsDone))
        {
            var firstScan = resumedScans.First(s => s.Segment == segment.Segment);
            Assert.True(
                JsonNode.DeepEquals(firstScan.ExclusiveStartKey, segment.ResumeKey is null ? null : JsonNode.Parse(segment.ResumeKey)),
                $"segment {segment.Segment} resumed at {firstScan.ExclusiveStartKey?.ToJsonString() ?? "the start"}, not at its checkpoint {segment.ResumeKey ?? "(none)"}");
        }

        // A third run of a finished backfill scans nothing.
        proxy.Clear();
        await using (var third = BridgeProcess.Start(commandSettings, command))
        {
            Assert.Equal(0, await third.WaitForExitAsync());
            Assert.Contains(third.Lines, l => l.Contains("finished at", StringComparison.Ordinal) && l.Contains("not scanned again", StringComparison.Ordinal));
        }

        Assert.Empty(ScansOf(proxy, table.TableName));
        await stopChanging.CancelAsync();
        await changing;

        var replica = await WaitForReplicaAsync(table, "bf-command-out", bridge, backfillDefersToNewerChanges: true);
        Assert.Equal(0, await bridge.StopAsync());
        Assert.True(replica.StreamRecords > 0);
        Assert.True(
            resumedScans.Count < firstAttemptScans.Count + resumedScans.Count && done.Count >= 2,
            $"first attempt {firstAttemptScans.Count} Scan calls, resumed {resumedScans.Count}, {done.Count} segments done at the kill");
        await AssertSnapshotRecordShapeAsync("bf-command-out", table.TableName, "consumer-b");
    }

    /// <param name="maxScanFloorItems">Null: the default, above the table's 5,000 items, so the scan keeps the floor; 100: the
    /// scan's floor is dropped past 100 items and built from the stream after the scan.</param>
    [Theory]
    [InlineData(null)]
    [InlineData(100)]
    public async Task Snapshot_start_in_merge_mode_with_an_order_attribute_never_takes_an_item_back_and_rebuilds_the_table(int? maxScanFloorItems)
    {
        var name = maxScanFloorItems is null ? "bf-merge" : "bf-merge-cap";
        var table = await CreateOrderedTableAsync(name);
        var settings = MergedSnapshot(table, name + "-out", name + "-checkpoints");
        if (maxScanFloorItems is { } max)
        {
            settings["Bridge__Backfill__MaxScanFloorItems"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var stopChanging = new CancellationTokenSource();
        var changing = table.ChangeUntilAsync(Rooms, seed: 3, stopChanging.Token);
        await using var bridge = BridgeProcess.Start(settings);
        await WaitForLineAsync(bridge, $"Backfill {name}/snapshot: scanning segment");
        var changesWhenScanBegan = table.Changes;
        await WaitForLineAsync(bridge, $"Backfill {name}/snapshot finished", TimeSpan.FromMinutes(4));
        var changesDuringScan = table.Changes - changesWhenScanBegan;
        var ready = await WaitForLineAsync(bridge, $"Snapshot floor of {name}:");
        Assert.Contains(maxScanFloorItems is null ? "from the scan" : "from the stream (the scan's passed Bridge:Backfill:MaxScanFloorItems)", ready, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stopChanging.CancelAsync();
        await changing;

        await WaitForReplicaAsync(table, name + "-out", bridge, backfillDefersToNewerChanges: false);
        Assert.True(changesDuringScan > 20, $"only {changesDuringScan} changes were made while the table was scanned");
        await AssertNoItemGoesBackAsync(name + "-out");

        // Once the watermark has passed the scan (a minute after it), the floor is released, and says what it suppressed.
        await WaitForLineAsync(bridge, $"Snapshot floor of {name} released", TimeSpan.FromMinutes(3));
        var suppressed = SuppressedIn(bridge);
        output.WriteLine($"changes during the scan: {changesDuringScan}; stream records older than their item's snapshot, not forwarded: {suppressed}; {ready}");
        Assert.True(suppressed > 0, "no stream record was older than its item's snapshot:\n" + bridge.Output);
        Assert.Contains(bridge.Lines, l => l.Contains("stream records older than their item's snapshot are not forwarded, the first at sequence", StringComparison.Ordinal));
        Assert.Equal(0, await bridge.StopAsync());

        // The release is recorded on the run: a restart builds no floor.
        await AssertRestartScansAndBuildsNothingAsync(settings, "Snapshot floor of");
    }

    [Fact]
    public async Task Snapshot_start_in_merge_mode_killed_mid_scan_and_after_it_rebuilds_the_floor_from_the_stream_and_never_takes_an_item_back()
    {
        var table = await CreateOrderedTableAsync("bf-merge-kill");
        var settings = MergedSnapshot(table, "bf-merge-kill-out", "bf-merge-kill-checkpoints");

        // The floor is released a minute and Lateness after the scan: a minute's Lateness keeps it until well after the second kill.
        settings["Bridge__Ordering__Lateness"] = "00:01:00";
        using var stopChanging = new CancellationTokenSource();
        var changing = table.ChangeUntilAsync(Rooms, seed: 4, stopChanging.Token);
        var store = new DynamoDbBackfillStore(aws.DynamoDbClient, "bf-merge-kill-checkpoints", TimeProvider.System);
        await using (var first = BridgeProcess.Start(settings))
        {
            await WaitForLineAsync(first, "Backfill bf-merge-kill/snapshot: scanning segment");
            await WaitUntilMidScanAsync(store, table.TableName, BackfillRun.SnapshotRunId, first);

            first.Kill();
            await first.WaitForExitAsync();
        }

        Assert.False((await store.GetRunAsync(table.TableName, BackfillRun.SnapshotRunId, CancellationToken.None))!.IsFinished);
        await using (var second = BridgeProcess.Start(settings))
        {
            await WaitForLineAsync(second, "Backfill bf-merge-kill/snapshot finished", TimeSpan.FromMinutes(4));
            await WaitForLineAsync(second, "Snapshot floor of bf-merge-kill rebuilt from its stream", TimeSpan.FromMinutes(4));
            await WaitForLineAsync(second, "Starting shard");

            // Killed again while the floor is still needed: the next start scans nothing and rebuilds it from the checkpoints.
            second.Kill();
            await second.WaitForExitAsync();
        }

        var run = await store.GetRunAsync(table.TableName, BackfillRun.SnapshotRunId, CancellationToken.None);
        Assert.True(run is { IsFinished: true, FloorReleasedAt: null }, $"the floor was released before the second kill ({run}), so the restart has none to rebuild");

        await using var third = BridgeProcess.Start(settings);
        // The writer never pauses, so the stream has no quiet tip: the rebuild reads to a record created over a minute after it began.
        await WaitForLineAsync(third, "Snapshot floor of bf-merge-kill rebuilt from its stream", TimeSpan.FromMinutes(4));
        Assert.DoesNotContain(third.Lines, l => l.Contains("scanning segment", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stopChanging.CancelAsync();
        await changing;

        await WaitForReplicaAsync(table, "bf-merge-kill-out", third, backfillDefersToNewerChanges: false);
        output.WriteLine($"{table.Changes} changes, {table.Recreated} of them deleted keys inserted again; {third.Lines.FirstOrDefault(l => l.Contains("rebuilt from its stream", StringComparison.Ordinal))}");
        Assert.True(table.Recreated > 0, "no deleted key was inserted again");
        await AssertNoItemGoesBackAsync("bf-merge-kill-out");
        Assert.Equal(0, await third.StopAsync());
    }

    [Fact]
    public async Task Backfill_command_in_merge_mode_with_an_order_attribute_is_scanned_by_the_merge_worker_in_order_with_live_changes_across_a_kill()
    {
        const string name = "bf-live";
        var table = await CreateOrderedTableAsync(name);
        var settings = SlowScan(aws.BridgeSettings(table.TableName, name + "-out", name + "-checkpoints", startPosition: "LATEST"));
        settings["Bridge__Ordering__Mode"] = "Merge";
        settings["Bridge__Sources__0__OrderBy"] = OrderAttribute;
        settings["Bridge__Backfill__ReadUnitsPerSecond"] = "10";
        var store = new DynamoDbBackfillStore(aws.DynamoDbClient, name + "-checkpoints", TimeProvider.System);

        await using var first = BridgeProcess.Start(settings);
        await WaitForLineAsync(first, "Starting shard");
        using var stopChanging = new CancellationTokenSource();
        var changing = table.ChangeUntilAsync(Rooms, seed: 5, stopChanging.Token);

        // The command records the run and watches it; the worker holding the merge group scans it, and is killed mid-scan.
        await using var command = BridgeProcess.Start(settings, "backfill", "--table", name, "--run", "consumer-d");
        await WaitForLineAsync(command, $"Backfill {name}/consumer-d recorded");
        await WaitForLineAsync(first, $"Backfill {name}/consumer-d is scanned here");
        await WaitUntilMidScanAsync(store, table.TableName, "consumer-d", first);
        first.Kill();
        await first.WaitForExitAsync();

        // The next holder rebuilds the gate from the stream before reading it, and resumes the run from its segments.
        await using var second = BridgeProcess.Start(settings);
        await WaitForLineAsync(second, $"Backfill gate of {name} rebuilt from the stream for runs consumer-d", TimeSpan.FromMinutes(4));
        Assert.Equal(0, await command.WaitForExitAsync(TimeSpan.FromMinutes(4)));
        Assert.Contains(command.Lines, l => l.Contains($"Backfill {name}/consumer-d finished at", StringComparison.Ordinal));
        Assert.DoesNotContain(command.Lines, l => l.Contains("scanning segment", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stopChanging.CancelAsync();
        await changing;

        // Per item, no state goes back, so a consumer that simply upserts by key ends with the table.
        await WaitForReplicaAsync(table, name + "-out", second, backfillDefersToNewerChanges: false);
        await AssertNoItemGoesBackAsync(name + "-out");

        // Once the watermark has passed the run (a minute after it), the gate closes and says what it kept back.
        var closed = await WaitForLineAsync(second, $"Backfill gate of {name} closed", TimeSpan.FromMinutes(3));
        output.WriteLine($"{table.Changes} changes, {table.Recreated} deleted keys inserted again; {closed}");
        Assert.Equal(0, await second.StopAsync());

        // The release is recorded on the run: a restart rebuilds no gate.
        await AssertRestartScansAndBuildsNothingAsync(settings, "Backfill gate of");
    }

    [Fact]
    public async Task Backfill_command_in_merge_mode_with_no_worker_says_so_and_a_stop_leaves_the_run_to_the_worker_that_comes()
    {
        const string name = "bf-watch";

        // A few hundred items: what is watched here is the hand-over from command to worker, not the scan.
        var table = await CreateOrderedTableAsync(name, items: 300);
        var settings = aws.BridgeSettings(table.TableName, name + "-out", name + "-checkpoints", startPosition: "LATEST");
        settings["Bridge__Ordering__Mode"] = "Merge";
        settings["Bridge__Sources__0__OrderBy"] = OrderAttribute;
        settings["Bridge__DiscoveryInterval"] = "00:00:02";
        string[] command = ["backfill", "--table", name, "--run", "later"];

        // No worker runs: after two lease durations the command says nobody took the run; stopped, it leaves the run recorded.
        await using (var watching = BridgeProcess.Start(settings, command))
        {
            await WaitForLineAsync(watching, "no worker has taken a segment");
            Assert.Equal(0, await watching.StopAsync());
            Assert.Contains(watching.Lines, l => l.Contains($"Stopped watching backfill {name}/later", StringComparison.Ordinal));
        }

        var store = new DynamoDbBackfillStore(aws.DynamoDbClient, name + "-checkpoints", TimeProvider.System);
        Assert.False((await store.GetRunAsync(name, "later", CancellationToken.None))!.IsFinished);

        // A worker comes, finds the run and scans it; the same command watches it to its end.
        await using var worker = BridgeProcess.Start(settings);
        await WaitForLineAsync(worker, $"Backfill {name}/later is scanned here");
        await using (var again = BridgeProcess.Start(settings, command))
        {
            Assert.Equal(0, await again.WaitForExitAsync(TimeSpan.FromMinutes(2)));
            Assert.Contains(again.Lines, l => l.Contains($"Backfill {name}/later finished at", StringComparison.Ordinal));
        }

        await WaitForReplicaAsync(table, name + "-out", worker, backfillDefersToNewerChanges: false);
        Assert.Equal(0, await worker.StopAsync());
    }

    /// <summary>Merge mode ordered by <c>updatedAt</c>, starting with a snapshot, scanning 5,000 items in about twenty-five seconds.</summary>
    private Dictionary<string, string> MergedSnapshot(ItemsTable table, string target, string checkpoints)
    {
        var settings = SlowScan(aws.BridgeSettings(table.TableName, target, checkpoints, startPosition: "Snapshot"));
        settings["Bridge__Ordering__Mode"] = "Merge";
        settings["Bridge__Sources__0__OrderBy"] = OrderAttribute;
        settings["Bridge__Backfill__ReadUnitsPerSecond"] = "10";
        return settings;
    }

    /// <summary>A table of <paramref name="items"/> items, each stamped with <c>updatedAt</c> on every write, written with its
    /// stream on: the stream holds their inserts, which an item updated before the scan reads it has outgrown.</summary>
    private async Task<ItemsTable> CreateOrderedTableAsync(string name, int items = 5_000)
    {
        await aws.CreateTableAsync(name);
        await aws.CreateTargetAsync(name + "-out", shards: 4);
        var table = new ItemsTable(aws.DynamoDbClient, name, OrderAttribute);
        await table.FillAsync(items, Rooms);
        return table;
    }

    /// <summary>Per item, in the order its target shard holds them (an item's records share a partition key), the order
    /// values of its records, snapshot records included (a REMOVE's from OldImage): never lower than the one before.</summary>
    private async Task AssertNoItemGoesBackAsync(string target)
    {
        var values = new Dictionary<string, List<(string Kind, long Value)>>(StringComparer.Ordinal);
        foreach (var (_, record) in await Bridge.Testing.Chat.KinesisReadback.ReadKinesisRecordsAsync(aws.KinesisClient, target))
        {
            var root = JsonDocument.Parse(record.Data).RootElement;
            var dynamodb = root.GetProperty("dynamodb");
            var eventName = root.GetProperty("eventName").GetString()!;
            var image = dynamodb.GetProperty(eventName == "REMOVE" ? "OldImage" : "NewImage");
            var kind = root.TryGetProperty("backfill", out _) ? "snapshot" : eventName;
            var key = TableReplica.KeyOf(dynamodb.GetProperty("Keys"));
            (values.TryGetValue(key, out var list) ? list : values[key] = []).Add((kind, long.Parse(image.GetProperty(OrderAttribute).GetProperty("N").GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
        }

        var backwards = values.Where(v => v.Value.Zip(v.Value.Skip(1)).Any(p => p.Second.Value < p.First.Value)).ToList();
        Assert.True(
            backwards.Count == 0,
            $"{backwards.Count} of {values.Count} items went back, e.g.:\n" + string.Join('\n', backwards.Take(5).Select(b => $"{b.Key}: {string.Join(", ", b.Value.Select(v => $"{v.Kind} {v.Value}"))}")));
        Assert.Contains(values.Values, v => v.Any(r => r.Kind == "snapshot") && v.Any(r => r.Kind != "snapshot"));
    }

    /// <summary>A restart once a run is finished and released: it scans nothing and says nothing of <paramref name="built"/>.</summary>
    private static async Task AssertRestartScansAndBuildsNothingAsync(Dictionary<string, string> settings, string built)
    {
        await using var restarted = BridgeProcess.Start(settings);
        await WaitForLineAsync(restarted, "Starting shard");
        Assert.DoesNotContain(restarted.Lines, l => l.Contains(built, StringComparison.Ordinal) || l.Contains("scanning segment", StringComparison.Ordinal));
        Assert.Equal(0, await restarted.StopAsync());
    }

    /// <summary>Waits until some segments of the run are done and another is part way, so a kill lands mid-scan.</summary>
    private static async Task WaitUntilMidScanAsync(DynamoDbBackfillStore store, string tableName, string runId, BridgeProcess process)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        while (true)
        {
            var run = await store.GetRunAsync(tableName, runId, CancellationToken.None);
            var segments = run is null ? [] : await store.ListSegmentsAsync(run, CancellationToken.None);
            if (segments.Count(s => s.IsDone) >= 2 && segments.Any(s => !s.IsDone && s.ResumeKey is not null))
            {
                return;
            }

            Assert.False(process.HasExited || DateTimeOffset.UtcNow > deadline, "the scan ended before it could be killed mid-scan:\n" + process.Output);
            await Task.Delay(100);
        }
    }

    private static long SuppressedIn(BridgeProcess bridge) =>
        bridge.Lines.Select(l => Regex.Match(l, @"(\d+) stream records older than their item's snapshot were not forwarded")).Where(m => m.Success).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>8 segments, 4 at a time, 100-item pages, 40 read units a second: about ten seconds for 20,000 items.</summary>
    private static Dictionary<string, string> SlowScan(Dictionary<string, string> settings)
    {
        settings["Bridge__Backfill__TotalSegments"] = "8";
        settings["Bridge__Backfill__ConcurrentSegments"] = "4";
        settings["Bridge__Backfill__PageSize"] = "100";
        settings["Bridge__Backfill__ReadUnitsPerSecond"] = "40";
        settings["Bridge__Backfill__ProgressInterval"] = "00:00:02";
        return settings;
    }

    /// <summary>A table whose 20,000 items were written before its stream was enabled: only a scan can find them, as when they are older than the stream's 24 hours.</summary>
    private async Task<ItemsTable> CreateFilledTableAsync(string name)
    {
        await aws.CreateTableAsync(name, stream: false);
        var table = new ItemsTable(aws.DynamoDbClient, name);
        await table.FillAsync(ExistingItems, Rooms);
        await aws.DynamoDbClient.UpdateTableAsync(new UpdateTableRequest
        {
            TableName = name,
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
        });
        return table;
    }

    /// <summary>Rebuilds the table from the target until it equals the table (the bridge may still be catching up), or fails with the differences.</summary>
    private async Task<TableReplica> WaitForReplicaAsync(ItemsTable table, string target, BridgeProcess bridge, bool backfillDefersToNewerChanges)
    {
        var expected = await table.ReadAllAsync();
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        while (true)
        {
            var replica = await TableReplica.RebuildAsync(aws.KinesisClient, target, backfillDefersToNewerChanges);
            var differences = TableReplica.Differences(expected, replica.Items);
            if (differences.Count == 0)
            {
                return replica;
            }

            if (bridge.HasExited || DateTimeOffset.UtcNow > deadline)
            {
                var examples = differences.Take(5).Select(d => d + "\n    records: " + string.Join("; ", replica.History.GetValueOrDefault(d.Split(' ')[1].TrimEnd(':')) ?? []));
                Assert.Fail($"{differences.Count} of {expected.Count} items differ, e.g.:\n{string.Join('\n', examples)}\n{bridge.Output}");
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>A snapshot record is a stream record: INSERT, Keys, NewImage, the table's name, plus the backfill marker and the scan's start.</summary>
    private async Task AssertSnapshotRecordShapeAsync(string target, string tableName, string runId)
    {
        var records = await Bridge.Testing.Chat.KinesisReadback.ReadKinesisRecordsAsync(aws.KinesisClient, target);
        var snapshot = records.Select(r => JsonDocument.Parse(r.Record.Data).RootElement).First(r => r.TryGetProperty("backfill", out _));
        Assert.Equal("INSERT", snapshot.GetProperty("eventName").GetString());
        Assert.True(snapshot.GetProperty("backfill").GetBoolean());
        Assert.Equal(runId, snapshot.GetProperty("backfillRun").GetString());
        Assert.Equal(tableName, snapshot.GetProperty("tableName").GetString());
        Assert.True(snapshot.GetProperty("scanStartedAt").GetDateTimeOffset() < DateTimeOffset.UtcNow);
        var dynamodb = snapshot.GetProperty("dynamodb");
        Assert.Equal(TableReplica.KeyOf(dynamodb.GetProperty("Keys")), TableReplica.KeyOf(dynamodb.GetProperty("NewImage")));
        Assert.Equal(2, dynamodb.GetProperty("Keys").EnumerateObject().Count());
    }

    private static List<(int Segment, JsonNode? ExclusiveStartKey)> ScansOf(RecordingProxy proxy, string tableName) =>
        [.. proxy.Bodies("Scan")
            .Select(b => JsonNode.Parse(b)!.AsObject())
            .Where(b => b["TableName"]!.GetValue<string>() == tableName)
            .Select(b => (b["Segment"]!.GetValue<int>(), b["ExclusiveStartKey"]?.DeepClone()))];

    /// <returns>The first line with <paramref name="text"/>.</returns>
    private static async Task<string> WaitForLineAsync(BridgeProcess process, string text, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            if (process.Lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            Assert.False(process.HasExited || DateTimeOffset.UtcNow > deadline, $"no line with '{text}' (exited: {process.HasExited}):\n{process.Output}");
            await Task.Delay(100);
        }
    }
}
