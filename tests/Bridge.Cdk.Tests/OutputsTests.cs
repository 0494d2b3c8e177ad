using Amazon.CDK.Assertions;

namespace Bridge.Cdk.Tests;

public sealed class OutputsTests
{
    [Fact]
    public void Consumers_get_the_stream_name_and_an_exported_arn()
    {
        var stack = SynthesizedStack.FromContext();

        stack.Template.HasOutput("TargetStreamName", new Dictionary<string, object>
        {
            ["Value"] = Match.ObjectLike(new Dictionary<string, object> { ["Ref"] = Match.AnyValue() }),
        });
        stack.Template.HasOutput("TargetStreamArn", new Dictionary<string, object>
        {
            ["Export"] = new Dictionary<string, object> { ["Name"] = "DynamoDbKinesisBridge-TargetStreamArn" },
        });
        stack.Template.HasOutput("LeaseTableName", new Dictionary<string, object>());
        stack.Template.HasOutput("DashboardName", new Dictionary<string, object>());
        stack.Template.HasOutput("AlarmTopicArn", new Dictionary<string, object>());
    }

    [Fact]
    public void Existing_stream_is_still_an_output()
    {
        const string streamArn = "arn:aws:kinesis:us-east-1:111122223333:stream/chat-events";

        var stack = SynthesizedStack.FromContext(("existingStreamArn", streamArn));

        stack.Template.HasOutput("TargetStreamArn", new Dictionary<string, object> { ["Value"] = streamArn });
    }
}
