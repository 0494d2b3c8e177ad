using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Bridge.Host.Operator.Status;

/// <summary>A <see cref="StatusSnapshot"/> as terminal tables: source shards, workers, target shards, other items.</summary>
internal static class StatusView
{
    public static IRenderable Render(StatusSnapshot snapshot, string? refreshProblem = null)
    {
        var reading = snapshot.Shards.Count(s => s.State == ShardState.Reading);
        var finished = snapshot.Shards.Count(s => s.State == ShardState.Finished);
        var waiting = snapshot.Shards.Count - reading - finished;
        var parts = new List<IRenderable>
        {
            new Markup(Markup.Escape(
                $"Lease table {snapshot.LeaseTable} at {snapshot.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC: "
                + $"{snapshot.Shards.Count} source shards ({reading} reading, {finished} finished, {waiting} unowned), {snapshot.Workers.Count} worker{(snapshot.Workers.Count == 1 ? "" : "s")}, "
                + (snapshot.TargetStream is null ? "no target named" : $"target {snapshot.TargetStream}: {snapshot.TargetShards.Count(t => t.Open)} open shards")
                + (snapshot.MergeGroup is { } group ? $"; Merge mode, merge group held by {group.Owner ?? "nobody (unowned)"}" : ""))),
            SourceShards(snapshot),
            Workers(snapshot),
        };
        if (snapshot.TargetStream is not null)
        {
            parts.Add(TargetShards(snapshot));
        }

        if (snapshot.OtherItems.Count > 0)
        {
            var others = new Table().Title("Other items in the lease table (not shard leases; shown as stored)").AddColumns("leaseKey", "attributes");
            foreach (var item in snapshot.OtherItems)
            {
                others.AddRow(Markup.Escape(item.Key), Markup.Escape(string.Join(", ", item.Attributes)));
            }

            parts.Add(others);
        }

        foreach (var problem in snapshot.Problems.Append(refreshProblem).OfType<string>())
        {
            parts.Add(new Markup("[yellow]! " + Markup.Escape(problem) + "[/]"));
        }

        return new Rows(parts);
    }

    public static string Age(double? seconds) => seconds switch
    {
        null => "-",
        < 1 => "<1 s",
        < 120 => ((int)seconds).ToString(CultureInfo.InvariantCulture) + " s",
        < 7200 => ((int)(seconds / 60)).ToString(CultureInfo.InvariantCulture) + " min",
        _ => (seconds.Value / 3600).ToString("0.0", CultureInfo.InvariantCulture) + " h",
    };

    private static Table SourceShards(StatusSnapshot snapshot)
    {
        var table = new Table().Title("Source shards").AddColumns("table", "shard", "parent", "children", "state", "owner", "checkpoint", "checkpoint age", "behind");
        foreach (var s in snapshot.Shards)
        {
            table.AddRow(
                Markup.Escape(s.Table),
                Markup.Escape(s.ShardId),
                Markup.Escape(s.ParentShardId ?? "-"),
                Markup.Escape(s.ChildShardIds.Count == 0 ? "-" : string.Join(" ", s.ChildShardIds)),
                State(s, snapshot.LeaseDuration),
                Markup.Escape((s.Owner ?? "-") + (s.PendingOwner is { } p ? $" (handing to {p})" : "")),
                Markup.Escape(Shorten(s.Checkpoint ?? "none")),
                Age(s.CheckpointAgeSeconds),
                s.BehindSeconds is 0 ? "caught up" : Age(s.BehindSeconds));
        }

        return table;
    }

    private static Table Workers(StatusSnapshot snapshot)
    {
        var table = new Table().Title("Workers").AddColumns("worker", "leases", "reading");
        foreach (var w in snapshot.Workers)
        {
            table.AddRow(Markup.Escape(w.Worker), w.Leases.ToString(CultureInfo.InvariantCulture), w.Reading.ToString(CultureInfo.InvariantCulture));
        }

        return table;
    }

    private static Table TargetShards(StatusSnapshot snapshot)
    {
        var table = new Table().Title("Target shards").AddColumns("shard", "state", "parent", "hash key range");
        foreach (var t in snapshot.TargetShards)
        {
            table.AddRow(
                Markup.Escape(t.ShardId),
                t.Open ? "open" : "closed",
                Markup.Escape(t.ParentShardId ?? "-"),
                Markup.Escape($"{Shorten(t.StartingHashKey)} – {Shorten(t.EndingHashKey)}"));
        }

        return table;
    }

    private static string State(SourceShardStatus s, TimeSpan leaseDuration) => s.State switch
    {
        ShardState.Reading when s.LeaseUnchangedSeconds >= leaseDuration.TotalSeconds => $"[red]owner silent {Age(s.LeaseUnchangedSeconds)}[/]",
        ShardState.Reading => "[green]reading[/]",
        ShardState.Finished => "finished",
        ShardState.Unowned => "[yellow]unowned[/]",
        _ => "[yellow]no lease yet[/]",
    };

    /// <summary>Long numbers (sequence numbers, hash keys) as their first and last digits, so a row fits a terminal.</summary>
    private static string Shorten(string text) => text.Length <= 14 ? text : $"{text[..5]}…{text[^6..]}";
}
