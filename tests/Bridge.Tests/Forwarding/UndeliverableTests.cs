using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Coordination;
using Bridge.Forwarding;
using Bridge.Tests.Fakes;

namespace Bridge.Tests.Forwarding;

/// <summary>A record with no key attribute is never dropped silently: each policy has its defined outcome.</summary>
public class UndeliverableTests
{
    private static (EngineHarness Harness, string[] Sequences) ShardWithAKeylessRecord(UndeliverableAction action)
    {
        var harness = new EngineHarness();
        harness.Options.OnUndeliverable = action;
        harness.Options.DeadLetter.StreamName = "dead-letters";
        harness.Stream.AddShard("A");
        harness.Stream.AddShard("R");
        var sequences = new[]
        {
            harness.Stream.Append("A", "room-1").SequenceNumber.Value,
            harness.Stream.Append("A", roomId: null).SequenceNumber.Value,
            harness.Stream.Append("A", "room-1").SequenceNumber.Value,
        };
        harness.Stream.Append("R", "room-2");
        return (harness, sequences);
    }

    [Fact]
    public async Task Block_stops_the_shard_before_the_record_and_leaves_other_shards_running()
    {
        var (harness, sequences) = ShardWithAKeylessRecord(UndeliverableAction.Block);
        using var _ = harness;
        await harness.RunUntilAsync(() =>
            harness.Delivered().Count == 2 && harness.Metrics.Shards.Any(s => s.BlockedReason is not null));

        var delivered = harness.Delivered();
        Assert.Contains(delivered, d => d.ShardId == "A" && d.SequenceNumber == sequences[0]);
        Assert.Contains(delivered, d => d.ShardId == "R");
        Assert.DoesNotContain(delivered, d => d.SequenceNumber == sequences[2]);
        var blocked = Assert.Single(harness.Metrics.Shards, s => s.BlockedReason is not null);
        Assert.Equal("A", blocked.Shard.ShardId);
        Assert.Contains("MissingKey", blocked.BlockedReason, StringComparison.Ordinal);
        Assert.Equal(Checkpoint.After(SequenceNumber.Parse(sequences[0])), harness.Store.Get(harness.Stream.StreamArn, "A")!.Checkpoint);
    }

    [Fact]
    public async Task Skip_forwards_everything_else_and_lets_the_checkpoint_pass_it()
    {
        var (harness, sequences) = ShardWithAKeylessRecord(UndeliverableAction.Skip);
        using var _ = harness;
        await harness.RunUntilAsync(() => harness.Delivered().Count == 3);

        Assert.Equal([sequences[0], sequences[2]], harness.Delivered().Where(d => d.ShardId == "A").Select(d => d.SequenceNumber));
        Assert.Equal(Checkpoint.After(SequenceNumber.Parse(sequences[2])), harness.Store.Get(harness.Stream.StreamArn, "A")!.Checkpoint);
    }

    [Fact]
    public async Task Dead_letter_writes_the_record_with_its_reason_and_forwards_the_rest()
    {
        var (harness, sequences) = ShardWithAKeylessRecord(UndeliverableAction.DeadLetter);
        using var _ = harness;
        await harness.RunUntilAsync(() => harness.Delivered().Count == 3 && harness.Kinesis.AcceptedEntries.Any(e => e.Stream == "dead-letters"));

        var letter = Assert.Single(harness.Kinesis.AcceptedEntries, e => e.Stream == "dead-letters");
        using var envelope = JsonDocument.Parse(letter.Data);
        Assert.Equal("MissingKey", envelope.RootElement.GetProperty("reason").GetString());
        Assert.Equal(sequences[1], envelope.RootElement.GetProperty("sequenceNumber").GetString());
        Assert.Equal("A", envelope.RootElement.GetProperty("sourceShardId").GetString());
        Assert.Equal(sequences[1], envelope.RootElement.GetProperty("record").GetProperty("dynamodb").GetProperty("SequenceNumber").GetString());
        Assert.Equal(Checkpoint.After(SequenceNumber.Parse(sequences[2])), harness.Store.Get(harness.Stream.StreamArn, "A")!.Checkpoint);
    }
}
