using System.Text.Json;
using System.Text.Json.Nodes;
using Bridge.Aws.Kinesis;
using Bridge.Testing.Chat;

namespace Bridge.IntegrationTests.Backfill;

/// <summary>A consumer of the target stream that keeps a copy of the table: upsert <c>NewImage</c> by key, delete on REMOVE,
/// in each target shard's order (an item's records share a partition key, so one shard holds them in order).</summary>
internal sealed class TableReplica
{
    public Dictionary<string, string> Items { get; } = new(StringComparer.Ordinal);

    public int SnapshotRecords { get; private set; }

    /// <summary>Every record of each item in the order applied (event, creation time, backfill run), to explain a difference.</summary>
    public Dictionary<string, List<string>> History { get; } = new(StringComparer.Ordinal);

    /// <summary>Distinct backfill <c>eventID</c>s: fewer than <see cref="SnapshotRecords"/> when Kinesis holds an item's snapshot twice.</summary>
    public HashSet<string> SnapshotEventIds { get; } = new(StringComparer.Ordinal);

    public int StreamRecords { get; private set; }

    /// <summary>Backfill records dropped by the on-demand rule.</summary>
    public int SnapshotRecordsDropped { get; private set; }

    /// <summary>Rebuilds the table from everything in <paramref name="target"/>.</summary>
    /// <param name="backfillDefersToNewerChanges">The rule for a backfill that runs while the bridge forwards: a backfill record
    /// of an item is dropped once a stream record of that item created at or after the run's <c>scanStartedAt</c> was applied
    /// (that change, or a later one, is the item's state). Not needed for <c>StartPosition = Snapshot</c>.</param>
    public static async Task<TableReplica> RebuildAsync(IKinesisClient kinesis, string target, bool backfillDefersToNewerChanges = false)
    {
        var replica = new TableReplica();
        var changedSince = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (_, record) in await KinesisReadback.ReadKinesisRecordsAsync(kinesis, target))
        {
            using var document = JsonDocument.Parse(record.Data);
            var root = document.RootElement;
            var dynamodb = root.GetProperty("dynamodb");
            var key = KeyOf(dynamodb.GetProperty("Keys"));
            var created = DateTimeOffset.FromUnixTimeMilliseconds((long)(dynamodb.GetProperty("ApproximateCreationDateTime").GetDouble() * 1000));
            var history = replica.History.TryGetValue(key, out var seen) ? seen : replica.History[key] = [];
            history.Add($"{root.GetProperty("eventName").GetString()} {created:HH:mm:ss.fff} {(root.TryGetProperty("backfillRun", out var run) ? "backfill " + run.GetString() + " from " + root.GetProperty("scanStartedAt").GetString() : "stream")}");
            if (root.TryGetProperty("backfill", out var backfill) && backfill.GetBoolean())
            {
                replica.SnapshotRecords++;
                replica.SnapshotEventIds.Add(root.GetProperty("eventID").GetString()!);
                var scanStartedAt = root.GetProperty("scanStartedAt").GetDateTimeOffset();
                if (backfillDefersToNewerChanges && changedSince.TryGetValue(key, out var changed) && changed >= scanStartedAt)
                {
                    replica.SnapshotRecordsDropped++;
                    continue;
                }

                replica.Items[key] = Canonical(dynamodb.GetProperty("NewImage"));
                continue;
            }

            replica.StreamRecords++;
            changedSince[key] = created;
            if (root.GetProperty("eventName").GetString() == "REMOVE")
            {
                replica.Items.Remove(key);
            }
            else
            {
                replica.Items[key] = Canonical(dynamodb.GetProperty("NewImage"));
            }
        }

        return replica;
    }

    /// <summary>Items that differ between the table and the replica, described for a failure message; empty when equal.</summary>
    public static List<string> Differences(Dictionary<string, string> table, Dictionary<string, string> replica)
    {
        var differences = new List<string>();
        foreach (var (key, item) in table)
        {
            if (!replica.TryGetValue(key, out var copy))
            {
                differences.Add($"missing {key}");
            }
            else if (copy != item)
            {
                differences.Add($"different {key}: table {item} replica {copy}");
            }
        }

        differences.AddRange(replica.Keys.Where(k => !table.ContainsKey(k)).Select(k => $"extra {k}"));
        return differences;
    }

    public static string KeyOf(JsonElement item) => $"{item.GetProperty("roomId").GetProperty("S").GetString()}|{item.GetProperty("ts").GetProperty("N").GetString()}";

    /// <summary>The item's DynamoDB JSON with every object's properties sorted, and set members sorted (sets have no order).</summary>
    public static string Canonical(JsonElement item) => Sort(JsonNode.Parse(item.GetRawText()))!.ToJsonString();

    private static JsonNode? Sort(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var sorted = new JsonObject();
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
                {
                    obj.Remove(name);
                    sorted[name] = name is "SS" or "NS" or "BS" && value is JsonArray set
                        ? new JsonArray([.. set.Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal).Select(v => (JsonNode)JsonValue.Create(v)!)])
                        : Sort(value);
                }

                return sorted;
            case JsonArray array:
                var copy = new JsonArray();
                foreach (var element in array.ToList())
                {
                    array.Remove(element);
                    copy.Add(Sort(element));
                }

                return copy;
            default:
                return node;
        }
    }
}
