using System.Diagnostics;
using System.Globalization;
using Bridge.Testing;
using Bridge.Testing.Chat;

// The bridge end to end on local emulators: DynamoDB Local (with Streams) → the real Bridge.Host process → kinesalite.
// Phase 1 writes a backlog before the bridge starts and times the catch-up; phase 2 writes at a steady rate while it
// runs and measures latency (item written → record in Kinesis). Then it reads the target stream back and verifies.
var optionsRead = new List<string>();
var flagsRead = new List<string>();
var backlog = Option("--backlog", 10_000);
var liveRate = Option("--live-rate", 200);
var liveSeconds = Option("--live-seconds", 10);
var rooms = Option("--rooms", 150);
var shards = Option("--shards", 4);
var aggregation = TextOption("--aggregation", "None");
var tables = Option("--tables", 1);
var merge = Flag("--merge");
var valued = args.Where(a => !flagsRead.Contains(a)).ToArray();
var unknown = valued.Where((_, i) => i % 2 == 0).FirstOrDefault(a => !optionsRead.Contains(a));
if (unknown is not null || valued.Length % 2 != 0)
{
    // A mistyped option would otherwise run with the defaults without a word.
    var usage = $"usage: bash tests/run-local.sh [{string.Join(" ", optionsRead.Select(o => $"{o} VALUE").Concat(flagsRead))}]";
    Console.Error.WriteLine(unknown switch
    {
        "--help" => usage,
        null => $"option '{valued[^1]}' needs a value; {usage}",
        _ => $"unknown option '{unknown}'; {usage}",
    });
    return unknown == "--help" ? 0 : 2;
}

Console.WriteLine($"Starting DynamoDB Local and kinesalite on 127.0.0.1 …");
await using var dynamo = await LocalAws.StartDynamoDbLocalAsync();
await using var kinesisEmulator = await LocalAws.StartKinesaliteAsync();
using var kinesisFactory = kinesisEmulator.CreateClientFactory();
using var dynamoFactory = dynamo.CreateClientFactory();
var kinesis = kinesisFactory.CreateKinesisClient();
var streams = dynamoFactory.CreateDynamoDbStreamsClient();
using var dynamoClient = ChatTable.CreateClient(dynamo.Endpoint);

if (tables > 1 || merge)
{
    return await RunMergedAsync();
}

var table = new ChatTable(dynamoClient, "chat-messages");
var streamArn = await table.CreateAsync();
await kinesis.CreateActiveStreamAsync("chat-events", shards);
Console.WriteLine($"Created table chat-messages (roomId + ts, stream NEW_AND_OLD_IMAGES) and Kinesis stream chat-events ({shards} shards).");

var workload = new ChatWorkload(rooms, seed: 7);
var clock = Stopwatch.StartNew();
await table.ApplyAsync(workload.Next(backlog));
Console.WriteLine($"Phase 1: wrote a backlog of {backlog} mutations (inserts, edits, deletes) across {rooms} rooms in {clock.Elapsed.TotalSeconds:0.0} s.");

var settings = BridgeProcess.EmulatorEnvironment(dynamo.Endpoint, kinesisEmulator.Endpoint);
settings["Bridge__Sources__0__TableName"] = "chat-messages";
settings["Bridge__Sources__0__PartitionKey"] = "roomId";
settings["Bridge__Target__StreamName"] = "chat-events";
settings["Bridge__Checkpoints__TableName"] = "bridge-checkpoints";
settings["Bridge__Target__Aggregation"] = aggregation;
await using var bridge = BridgeProcess.Start(settings);
clock.Restart();
var bridgeStart = DateTimeOffset.UtcNow;
var caughtUp = await WaitForAsync(backlog, TimeSpan.FromMinutes(5));

// The last arrival in Kinesis, not the moment the poll noticed it, ends the catch-up.
var catchUp = (await KinesisReadback.ReadAllAsync(kinesis, "chat-events")).Max(r => r.ArrivedAt!.Value) - bridgeStart;
Console.WriteLine(caughtUp
    ? $"          bridge forwarded the backlog in {catchUp.TotalSeconds:0.00} s (from process start): {backlog / catchUp.TotalSeconds:0} records/s."
    : "          bridge did not catch up within 5 minutes.");

var live = liveRate * liveSeconds;
Console.WriteLine($"Phase 2: writing {live} mutations at {liveRate}/s while the bridge runs …");
var liveStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
clock.Restart();
for (var second = 0; second < liveSeconds; second++)
{
    for (var slice = 0; slice < 10; slice++)
    {
        await table.ApplyAsync(workload.Next(liveRate / 10));
        var due = TimeSpan.FromMilliseconds((second * 1000) + ((slice + 1) * 100));
        if (due > clock.Elapsed)
        {
            await Task.Delay(due - clock.Elapsed);
        }
    }
}

await WaitForAsync(backlog + live, TimeSpan.FromMinutes(2));
var exitCode = await bridge.StopAsync();
Console.WriteLine($"Stopped the bridge with SIGTERM: exit code {exitCode} (drained and checkpointed).");

var source = await SourceReadback.ReadAllAsync(streams, streamArn);
var forwarded = await KinesisReadback.ReadAllAsync(kinesis, "chat-events");
var report = DeliveryReport.Compare(source, forwarded);
var kinesisRecords = await KinesisReadback.ReadKinesisRecordsAsync(kinesis, "chat-events");
Console.WriteLine();
Console.WriteLine("Result");
Console.Write(report);
Console.WriteLine($"  Kinesis records: {kinesisRecords.Count}, of which KPL aggregates: {kinesisRecords.Count(r => KplDeaggregator.IsAggregate(r.Record.Data.Span))} (Bridge:Target:Aggregation = {aggregation})");
Console.WriteLine(report.ExactlyOnceInOrder
    ? "  verified: every change exactly once, each room's changes in table order, each room on one target shard."
    : "  VERIFICATION FAILED");

var latencies = forwarded
    .Where(r => r.SentAtMs >= liveStart && r.ArrivedAt is not null && r.EventName != "REMOVE")
    .Select(r => (r.ArrivedAt!.Value - DateTimeOffset.FromUnixTimeMilliseconds(r.SentAtMs!.Value)).TotalMilliseconds)
    .Order()
    .ToArray();
if (latencies.Length > 0)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  live latency (item written → record in Kinesis), {latencies.Length} records: p50 {Percentile(0.50):0} ms, p95 {Percentile(0.95):0} ms, p99 {Percentile(0.99):0} ms, max {latencies[^1]:0} ms"));
}

return report.ExactlyOnceInOrder && exitCode == 0 ? 0 : 1;

double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];

// --tables N [--merge]: chat messages stored one item per message (table key id) in N tables, one room's messages
// in all of them, keyed by roomId and stamped with ts; Merge mode orders each room by ts across the tables.
async Task<int> RunMergedAsync()
{
    var mode = merge ? "Merge" : "Shard";
    var names = Enumerable.Range(1, tables).Select(i => $"messages-{i}").ToList();
    var messages = new RoomMessages(dynamoClient, names, rooms, seed: 7);
    await messages.CreateTablesAsync();
    await kinesis.CreateActiveStreamAsync("chat-events", shards);
    Console.WriteLine($"Created {tables} tables ({string.Join(", ", names)}: key id, attributes roomId and ts, stream NEW_AND_OLD_IMAGES) and Kinesis stream chat-events ({shards} shards).");
    var clock = Stopwatch.StartNew();
    await messages.WriteBacklogAsync(backlog);
    Console.WriteLine($"Phase 1: wrote a backlog of {backlog} messages across {rooms} rooms, each room's messages spread over all {tables} tables, in {clock.Elapsed.TotalSeconds:0.0} s.");

    var settings = BridgeProcess.EmulatorEnvironment(dynamo.Endpoint, kinesisEmulator.Endpoint);
    settings["Bridge__Target__StreamName"] = "chat-events";
    settings["Bridge__Checkpoints__TableName"] = "bridge-checkpoints";
    settings["Bridge__Target__Aggregation"] = aggregation;
    settings["Bridge__Ordering__Mode"] = mode;
    for (var i = 0; i < tables; i++)
    {
        settings[$"Bridge__Sources__{i}__TableName"] = names[i];
        settings[$"Bridge__Sources__{i}__PartitionKey"] = "roomId";
        if (merge)
        {
            settings[$"Bridge__Sources__{i}__OrderBy"] = "ts";
        }
    }

    Console.WriteLine($"Starting the bridge: Bridge:Ordering:Mode = {mode}{(merge ? ", Bridge:Sources:N:OrderBy = ts" : "")}.");
    await using var bridge = BridgeProcess.Start(settings);
    var bridgeStart = DateTimeOffset.UtcNow;
    if (!await WaitForMessagesAsync(bridge, backlog, TimeSpan.FromMinutes(5)))
    {
        Console.WriteLine("          bridge did not catch up within 5 minutes.");
        return 1;
    }

    var catchUp = (await RoomMessages.ReadTargetAsync(kinesis, "chat-events")).Messages.Max(m => m.ArrivedAt!.Value) - bridgeStart;
    Console.WriteLine($"          bridge forwarded the backlog in {catchUp.TotalSeconds:0.00} s (from process start): {backlog / catchUp.TotalSeconds:0} records/s.");

    var live = liveRate * liveSeconds;
    Console.WriteLine($"Phase 2: writing {live} messages at {liveRate}/s while the bridge runs …");
    var liveStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    await messages.WriteSteadilyAsync(liveRate, TimeSpan.FromSeconds(liveSeconds));
    await WaitForMessagesAsync(bridge, messages.Written, TimeSpan.FromMinutes(2));
    var exitCode = await bridge.StopAsync();
    Console.WriteLine($"Stopped the bridge with SIGTERM: exit code {exitCode} (drained and checkpointed).");
    var late = bridge.Lines.Count(l => l.Contains("Late record", StringComparison.Ordinal));

    var report = await RoomMessages.ReadTargetAsync(kinesis, "chat-events");
    var violations = report.OrderViolations();
    Console.WriteLine();
    Console.WriteLine("Result");
    Console.WriteLine($"  messages written: {messages.Written}; in Kinesis: {report.Distinct} distinct, {report.Duplicates} duplicates");
    Console.WriteLine($"  per-room ts order across the {tables} tables: {violations.Count} violations{string.Concat(violations.Take(3).Select(v => "\n    " + v))}");
    if (merge)
    {
        Console.WriteLine($"  late records reported by the bridge (Bridge:Ordering:OnLate = Emit, EventId 1401): {late}");
    }

    var exact = report.Distinct == messages.Written && report.Duplicates == 0;
    Console.WriteLine(!exact ? "  VERIFICATION FAILED: messages missing or repeated"
        : violations.Count == 0 ? "  verified: every message exactly once, each room's messages in ts order across the tables, each room on one target shard."
        : merge ? "  VERIFICATION FAILED: Merge mode broke a room's order"
        : "  exactly once; the order of a room spread over several tables is not kept in Shard mode (run again with --merge).");
    var latencies = report.Messages.Where(m => m.Ts >= liveStart && m.ArrivedAt is not null)
        .Select(m => (m.ArrivedAt!.Value - DateTimeOffset.FromUnixTimeMilliseconds(m.Ts)).TotalMilliseconds).Order().ToArray();
    if (latencies.Length > 0)
    {
        double At(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  live latency (message written → record in Kinesis), {latencies.Length} records: p50 {At(0.50):0} ms, p95 {At(0.95):0} ms, p99 {At(0.99):0} ms, max {latencies[^1]:0} ms"));
    }

    return exact && exitCode == 0 && (violations.Count == 0 || !merge) ? 0 : 1;
}

async Task<bool> WaitForMessagesAsync(BridgeProcess bridge, int count, TimeSpan timeout)
{
    var deadline = Stopwatch.StartNew();
    while (deadline.Elapsed < timeout && !bridge.HasExited)
    {
        if ((await RoomMessages.ReadTargetAsync(kinesis, "chat-events")).Distinct >= count)
        {
            return true;
        }

        await Task.Delay(1000);
    }

    if (bridge.HasExited)
    {
        Console.WriteLine(bridge.Output);
    }

    return false;
}

async Task<bool> WaitForAsync(int count, TimeSpan timeout)
{
    var deadline = Stopwatch.StartNew();
    while (deadline.Elapsed < timeout && !bridge.HasExited)
    {
        var records = await KinesisReadback.ReadAllAsync(kinesis, "chat-events");
        if (records.Select(r => (r.SourceShardId, r.SequenceNumber)).Distinct().Count() >= count)
        {
            return true;
        }

        // Reading the whole stream back costs the emulator too; poll gently so the measurement does not slow the bridge.
        await Task.Delay(1000);
    }

    if (bridge.HasExited)
    {
        Console.WriteLine(bridge.Output);
    }

    return false;
}

int Option(string name, int fallback) => int.Parse(TextOption(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

bool Flag(string name)
{
    flagsRead.Add(name);
    return args.Contains(name);
}

string TextOption(string name, string fallback)
{
    optionsRead.Add(name);
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
