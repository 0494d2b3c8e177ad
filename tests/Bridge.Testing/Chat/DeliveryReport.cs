using System.Globalization;
using System.Text;

namespace Bridge.Testing.Chat;

/// <summary>What the output stream holds compared with the source: losses, duplicates, per-room order, spread over target shards.</summary>
public sealed record DeliveryReport(
    int SourceChanges,
    int Forwarded,
    int Missing,
    int Duplicates,
    int RoomsOutOfOrder,
    int RoomsOnSeveralShards,
    int Rooms,
    IReadOnlyDictionary<string, int> PerTargetShard,
    IReadOnlyList<string> Problems)
{
    /// <summary>Every change delivered exactly once, in per-room source order, each room on one target shard.</summary>
    public bool ExactlyOnceInOrder => Missing == 0 && Duplicates == 0 && RoomsOutOfOrder == 0 && RoomsOnSeveralShards == 0;

    /// <summary>What a crash allows: nothing missing, first occurrences in order, duplicates permitted.</summary>
    public bool NothingLostInOrder => Missing == 0 && RoomsOutOfOrder == 0 && RoomsOnSeveralShards == 0;

    /// <summary>Compares the output with the source. Output order per room is its order within its target shard.</summary>
    public static DeliveryReport Compare(IReadOnlyList<SourceChange> source, IReadOnlyList<ForwardedRecord> forwarded)
    {
        var problems = new List<string>();
        var firstPosition = new Dictionary<(string, string), int>();
        var duplicates = 0;
        for (var i = 0; i < forwarded.Count; i++)
        {
            if (!firstPosition.TryAdd((forwarded[i].SourceShardId, forwarded[i].SequenceNumber), i))
            {
                duplicates++;
            }
        }

        var missing = source.Count(c => !firstPosition.ContainsKey((c.ShardId, c.SequenceNumber)));
        if (missing > 0)
        {
            problems.Add($"{missing} source changes never reached Kinesis, e.g. {source.First(c => !firstPosition.ContainsKey((c.ShardId, c.SequenceNumber)))}");
        }

        var roomsOutOfOrder = 0;
        var roomsOnSeveralShards = 0;
        foreach (var room in source.GroupBy(c => c.RoomId))
        {
            var positions = room.Where(c => firstPosition.ContainsKey((c.ShardId, c.SequenceNumber)))
                .Select(c => firstPosition[(c.ShardId, c.SequenceNumber)]).ToList();
            if (positions.Zip(positions.Skip(1)).Any(p => p.First > p.Second))
            {
                roomsOutOfOrder++;
                problems.Add($"room {room.Key} arrived out of source order");
            }

            if (positions.Select(p => forwarded[p].TargetShardId).Distinct().Count() > 1)
            {
                roomsOnSeveralShards++;
                problems.Add($"room {room.Key} landed on more than one target shard");
            }
        }

        var perShard = forwarded.GroupBy(f => f.TargetShardId).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return new DeliveryReport(source.Count, forwarded.Count, missing, duplicates, roomsOutOfOrder, roomsOnSeveralShards, source.Select(c => c.RoomId).Distinct().Count(), perShard, problems);
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"source changes: {SourceChanges}, forwarded records: {Forwarded}, missing: {Missing}, duplicates: {Duplicates}");
        text.AppendLine(CultureInfo.InvariantCulture, $"rooms: {Rooms}, out of order: {RoomsOutOfOrder}, on several target shards: {RoomsOnSeveralShards}");
        foreach (var (shard, count) in PerTargetShard)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {shard}: {count} records");
        }

        foreach (var problem in Problems.Take(10))
        {
            text.AppendLine("  problem: " + problem);
        }

        return text.ToString();
    }
}
