using Bridge.Cdk.App;

namespace Bridge.Cdk.Tests;

public sealed class ContextValidationTests
{
    [Theory]
    [InlineData("targetShardCount", "0", "targetShardCount")]
    [InlineData("targetShardCount", "four", "targetShardCount")]
    [InlineData("targetShardCount", "2.5", "targetShardCount")]
    [InlineData("workerCount", "-1", "workerCount")]
    [InlineData("onDemand", "yes", "onDemand")]
    [InlineData("retentionHours", "12", "retentionHours")]
    [InlineData("logRetentionDays", "10", "logRetentionDays")]
    [InlineData("onUndeliverable", "Drop", "onUndeliverable")]
    [InlineData("aggregation", "gzip", "aggregation")]
    [InlineData("leaseDurationSeconds", "2", "leaseDurationSeconds")]
    [InlineData("sourceTables", "chat-messages", "TABLE:PARTITION_KEY")]
    [InlineData("sourceTables", "chat-messages:roomId,chat-messages:userId", "more than once")]
    [InlineData("existingStreamArn", "chat-events", "existingStreamArn")]
    [InlineData("onUndeliverable", "DeadLetter", "deadLetterStreamArn")]
    public void Bad_values_are_rejected_with_the_key_named(string key, string value, string expectedInMessage)
    {
        var error = Assert.Throws<InvalidContextException>(() => SynthesizedStack.BuildStack((key, value)));

        Assert.Contains(expectedInMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Source_tables_are_required()
    {
        var error = Assert.Throws<InvalidContextException>(() => SynthesizedStack.BuildStack(("sourceTables", "")));

        Assert.Contains("-c sourceTables=", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void On_demand_cannot_be_combined_with_an_existing_stream()
    {
        Assert.Throws<InvalidContextException>(() => SynthesizedStack.BuildStack(
            ("onDemand", "true"), ("existingStreamArn", "arn:aws:kinesis:us-east-1:111122223333:stream/x")));
    }

    [Fact]
    public void A_task_size_fargate_does_not_offer_is_rejected_at_synth()
    {
        var error = Assert.Throws<ArgumentException>(() => SynthesizedStack.BuildStack(("cpu", "256"), ("memoryMiB", "4096")));

        Assert.Contains("does not fit Cpu 256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Numbers_from_cdk_json_are_accepted_as_well_as_strings()
    {
        var stack = SynthesizedStack.FromContext(("targetShardCount", 6), ("onDemand", false));

        stack.Template.HasResourceProperties("AWS::Kinesis::Stream", new Dictionary<string, object> { ["ShardCount"] = 6 });
    }

    [Fact]
    public void Stream_arn_sources_keep_the_colons_of_their_label()
    {
        var sources = SourceTableList.Parse("arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2026-01-01T00:00:00.000:customer.id, chat:roomId");

        Assert.Equal(["orders", "chat"], sources.Select(s => s.TableName));
        Assert.Equal(["customer.id", "roomId"], sources.Select(s => s.PartitionKey));
        Assert.Equal("arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2026-01-01T00:00:00.000", sources[0].ExplicitStreamArn);
        Assert.Null(sources[1].ExplicitStreamArn);
    }
}
