using Amazon.CDK.Assertions;

namespace Bridge.Cdk.Tests;

public sealed class TargetStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(64)]
    public void Shard_count_comes_from_context(int shards)
    {
        var stack = SynthesizedStack.FromContext(("targetShardCount", shards.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        stack.Template.HasResourceProperties("AWS::Kinesis::Stream", new Dictionary<string, object>
        {
            ["ShardCount"] = shards,
            ["StreamModeDetails"] = new Dictionary<string, object> { ["StreamMode"] = "PROVISIONED" },
        });
    }

    [Fact]
    public void Shard_count_defaults_to_four()
    {
        var stack = SynthesizedStack.FromContext();

        stack.Template.HasResourceProperties("AWS::Kinesis::Stream", new Dictionary<string, object> { ["ShardCount"] = 4 });
    }

    [Fact]
    public void On_demand_mode_names_no_shard_count()
    {
        var stack = SynthesizedStack.FromContext(("onDemand", "true"), ("targetShardCount", "8"));

        stack.Template.HasResourceProperties("AWS::Kinesis::Stream", new Dictionary<string, object>
        {
            ["ShardCount"] = Match.Absent(),
            ["StreamModeDetails"] = new Dictionary<string, object> { ["StreamMode"] = "ON_DEMAND" },
        });
    }

    [Fact]
    public void Stream_is_encrypted_at_rest_with_configurable_retention()
    {
        var stack = SynthesizedStack.FromContext(("retentionHours", "48"));

        stack.Template.HasResourceProperties("AWS::Kinesis::Stream", new Dictionary<string, object>
        {
            ["RetentionPeriodHours"] = 48,
            ["StreamEncryption"] = new Dictionary<string, object> { ["EncryptionType"] = "KMS", ["KeyId"] = "alias/aws/kinesis" },
        });
    }

    [Fact]
    public void Existing_stream_is_used_not_created_and_its_key_granted()
    {
        const string streamArn = "arn:aws:kinesis:us-east-1:111122223333:stream/chat-events";
        const string keyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

        var stack = SynthesizedStack.FromContext(("existingStreamArn", streamArn), ("existingStreamKeyArn", keyArn));

        stack.Template.ResourceCountIs("AWS::Kinesis::Stream", 0);
        var statements = stack.PolicyStatements().Where(statement => statement.IsTaskRolePolicy).ToList();
        Assert.Contains(statements, statement => statement.Actions.Contains("kinesis:PutRecords") && statement.ResourceText == $"\"{streamArn}\"");
        Assert.Contains(statements, statement => statement.Actions.SequenceEqual(["kms:GenerateDataKey"]) && statement.ResourceText == $"\"{keyArn}\"");
    }

    [Fact]
    public void Managed_key_needs_no_kms_grant()
    {
        var stack = SynthesizedStack.FromContext();

        Assert.DoesNotContain(stack.PolicyStatements(), statement => statement.Actions.Any(action => action.StartsWith("kms:", StringComparison.Ordinal)));
    }
}
