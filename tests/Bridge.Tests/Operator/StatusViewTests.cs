using Bridge.Host.Operator.Status;
using Microsoft.Extensions.Time.Testing;
using Spectre.Console;

namespace Bridge.Tests.Operator;

public sealed class StatusViewTests
{
    [Fact]
    public void The_view_shows_each_shards_state_owner_ages_and_lineage_and_items_it_does_not_know()
    {
        var at = new DateTimeOffset(2026, 12, 3, 2, 0, 0, TimeSpan.Zero);
        const string arn = "arn:aws:dynamodb:us-east-1:000000000000:table/chat/stream/2026-12-03T00:00:00.000";
        var snapshot = new StatusSnapshot(
            at,
            TimeSpan.FromSeconds(10),
            "chat-leases",
            "chat-out",
            [
                new("chat", arn, "shardId-0001", null, ["shardId-0002"], ShardState.Finished, null, null, 9, "SHARD_END", null, null),
                new("chat", arn, "shardId-0002", "shardId-0001", [], ShardState.Reading, "worker-a", null, 14, "000000000000000000042", 3.4, 0),
                new("chat", arn, "shardId-0003", null, [], ShardState.Unowned, null, null, 2, null, null, null),
            ],
            [new("worker-a", 1, 1)],
            [new("shardId-000000000000", null, true, "0", "340282366920938463463374607431768211455")],
            [new("group|chat", ["groupOwner", "leaseKey"])],
            []);
        var text = Render(snapshot);

        Assert.Contains("3 source shards (1 reading, 1 finished, 1 unowned), 1 worker,", text, StringComparison.Ordinal);
        Assert.Matches(@"shardId-0002\s*│\s*shardId-0001\s*│\s*-\s*│\s*reading\s*│\s*worker-a\s*│\s*00000…000042\s*│\s*3 s\s*│\s*caught up", text);
        Assert.Matches(@"shardId-0001\s*│\s*-\s*│\s*shardId-0002\s*│\s*finished", text);
        Assert.Matches(@"shardId-0003.*unowned", text);
        Assert.Matches(@"group\|chat\s*│\s*groupOwner, leaseKey", text);
        Assert.Contains("shardId-000000000000", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_watch_flags_an_owner_whose_lease_counter_stood_still_for_a_lease_duration()
    {
        var time = new FakeTimeProvider();
        var renewals = new LeaseRenewals(time);
        const string arn = "arn:aws:dynamodb:us-east-1:000000000000:table/chat/stream/x";
        StatusSnapshot Look(long counter) => new(
            time.GetUtcNow(), TimeSpan.FromSeconds(10), "chat-leases", null,
            [new("chat", arn, "shardId-0001", null, [], ShardState.Reading, "worker-b", null, counter, null, null, null)], [new("worker-b", 1, 1)], [], [], []);

        Assert.Null(renewals.Observe(Look(5)).Shards[0].LeaseUnchangedSeconds);   // first look: unknown
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(0, renewals.Observe(Look(6)).Shards[0].LeaseUnchangedSeconds); // renewed since
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(4, renewals.Observe(Look(6)).Shards[0].LeaseUnchangedSeconds);
        time.Advance(TimeSpan.FromSeconds(8));
        var silent = renewals.Observe(Look(6));
        Assert.Equal(12, silent.Shards[0].LeaseUnchangedSeconds);

        Assert.Contains("owner silent 12 s", Render(silent), StringComparison.Ordinal);
        Assert.Contains("reading", Render(renewals.Observe(Look(7))), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "-")]
    [InlineData(0.4, "<1 s")]
    [InlineData(95.0, "95 s")]
    [InlineData(600.0, "10 min")]
    [InlineData(36_000.0, "10.0 h")]
    public void Ages_read_in_the_unit_that_fits(double? seconds, string shown) => Assert.Equal(shown, StatusView.Age(seconds));

    [Fact]
    public void Merge_mode_shows_who_holds_the_merge_group_and_not_as_a_source_shard()
    {
        var snapshot = new StatusSnapshot(DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(10), "chat-leases", null, [], [], [], [], []) { MergeGroup = new("worker-b", 7) };
        Assert.Contains("0 source shards", Render(snapshot), StringComparison.Ordinal);
        Assert.Contains("Merge mode, merge group held by worker-b", Render(snapshot), StringComparison.Ordinal);
        Assert.DoesNotContain("merge group", Render(snapshot with { MergeGroup = null }), StringComparison.Ordinal);
    }

    private static string Render(StatusSnapshot snapshot)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 240;
        console.Write(StatusView.Render(snapshot));
        return output.ToString();
    }
}
