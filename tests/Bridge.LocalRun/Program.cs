using System.Diagnostics;
using System.Globalization;
using Bridge.Testing;
using Bridge.Testing.Chat;

// The bridge end to end on local emulators: DynamoDB Local (with Streams) → the real Bridge.Host process → kinesalite.
// Phase 1 writes a backlog before the bridge starts and times the catch-up; phase 2 writes at a steady rate while it
// runs and measures latency (item written → record in Kinesis). Then it reads the target stream back and verifies.
var optionsRead = new List<string>();
var backlog = Option("--backlog", 10_000);
var liveRate = Option("--live-rate", 200);
var liveSeconds = Option("--live-seconds", 10);
var rooms = Option("--rooms", 150);
var shards = Option("--shards", 4);
var aggregation = TextOption("--aggregation", "None");
var unknown = args.Where((_, i) => i % 2 == 0).FirstOrDefault(a => !optionsRead.Contains(a));
if (unknown is not null || args.Length % 2 != 0)
{
    // A mistyped option would otherwise run with the defaults without a word.
    var usage = $"usage: bash tests/run-local.sh [{string.Join(" ", optionsRead.Select(o => $"{o} VALUE"))}]";
    Console.Error.WriteLine(unknown switch
    {
        "--help" => usage,
        null => $"option '{args[^1]}' needs a value; {usage}",
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

string TextOption(string name, string fallback)
{
    optionsRead.Add(name);
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
