using Bridge.Aws.DynamoDbStreams;
using Bridge.Source;

namespace Bridge.Tests.Source;

public class ShardLineageTests
{
    private static StreamShard Shard(string id, string? parent = null, bool closed = false) => new(id, parent, "1", closed ? "9" : null);

    [Fact]
    public void Children_start_only_after_their_parent_finished()
    {
        var lineage = new ShardLineage();
        lineage.Observe([Shard("A", closed: true), Shard("B", "A"), Shard("C", "A")]);

        Assert.Equal(["A"], lineage.TakeStartable().Select(s => s.ShardId));
        Assert.Empty(lineage.TakeStartable());

        lineage.MarkFinished("A");
        Assert.Equal(["B", "C"], lineage.TakeStartable().Select(s => s.ShardId));
    }

    [Fact]
    public void A_child_of_a_trimmed_parent_starts_at_once()
    {
        var lineage = new ShardLineage();
        lineage.Observe([Shard("Y", "X-trimmed")]);
        Assert.Equal(["Y"], lineage.TakeStartable().Select(s => s.ShardId));
    }

    [Fact]
    public void A_stopped_shard_may_start_again_but_a_finished_one_never()
    {
        var lineage = new ShardLineage();
        lineage.Observe([Shard("A"), Shard("B")]);
        Assert.Equal(2, lineage.TakeStartable().Count);

        lineage.MarkStopped("A");
        lineage.MarkFinished("B");
        lineage.Observe([Shard("B", closed: true)]);
        Assert.Equal(["A"], lineage.TakeStartable().Select(s => s.ShardId));
    }

    [Fact]
    public void Grandchildren_wait_for_the_whole_chain()
    {
        var lineage = new ShardLineage();
        lineage.Observe([Shard("A", closed: true), Shard("B", "A", closed: true), Shard("C", "B")]);
        Assert.Equal(["A"], lineage.TakeStartable().Select(s => s.ShardId));
        lineage.MarkFinished("A");
        Assert.Equal(["B"], lineage.TakeStartable().Select(s => s.ShardId));
        lineage.MarkFinished("B");
        Assert.Equal(["C"], lineage.TakeStartable().Select(s => s.ShardId));
    }
}
