using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECS;

namespace Bridge.Cdk.Tests;

/// <summary>The construct as a user drops it into their own app: table objects, their own VPC and image.</summary>
public sealed class ReusableConstructTests
{
    [Fact]
    public void Table_objects_and_an_existing_vpc_work_without_lookups()
    {
        var stack = new Stack(new Amazon.CDK.App(), "UserStack");
        var messages = new Table(stack, "Messages", new TableProps
        {
            PartitionKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = "id", Type = AttributeType.STRING },
            Stream = StreamViewType.NEW_IMAGE,
        });
        var vpc = Vpc.FromVpcAttributes(stack, "Vpc", new VpcAttributes
        {
            VpcId = "vpc-0123456789abcdef0",
            AvailabilityZones = ["us-east-1a", "us-east-1b"],
            PublicSubnetIds = ["subnet-0000000000000000a", "subnet-0000000000000000b"],
        });

        var bridge = new DynamoDbKinesisBridge(stack, "Bridge", new DynamoDbKinesisBridgeProps
        {
            Sources = [BridgeSource.FromTable(messages, "roomId")],
            Vpc = vpc,
            Image = ContainerImage.FromRegistry("public.ecr.aws/example/bridge:latest"),
            TargetShardCount = 2,
        });

        var synthesized = SynthesizedStack.FromStack(stack);
        synthesized.Template.ResourceCountIs("AWS::EC2::VPC", 0);

        // The user's VPC is theirs: no flow logs added to it, its default security group left alone.
        synthesized.Template.ResourceCountIs("AWS::EC2::FlowLog", 0);
        synthesized.Template.ResourceCountIs("Custom::VpcRestrictDefaultSG", 0);
        var read = Assert.Single(synthesized.PolicyStatements(), s => s.Actions.Contains("dynamodb:GetRecords"));
        Assert.Contains("StreamArn", read.ResourceText, StringComparison.Ordinal);
        Assert.Equal("UserStack-Bridge", bridge.ServiceName);
    }

    [Theory]
    [InlineData("Aggregation", "gzip")]
    [InlineData("LeaseDuration", "1")]
    public void Bad_props_are_refused_with_the_prop_named(string prop, string value)
    {
        var stack = new Stack(new Amazon.CDK.App(), "UserStack");
        var props = new DynamoDbKinesisBridgeProps
        {
            Sources = [BridgeSource.FromTableName("chat-messages", "roomId")],
            Image = ContainerImage.FromRegistry("public.ecr.aws/example/bridge:latest"),
            Aggregation = prop == "Aggregation" ? value : "None",
            LeaseDuration = prop == "LeaseDuration" ? Duration.Seconds(double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)) : null,
        };

        var error = Assert.Throws<ArgumentException>(() => new DynamoDbKinesisBridge(stack, "Bridge", props));

        Assert.Contains(prop, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_without_a_stream_is_refused_with_a_hint()
    {
        var stack = new Stack(new Amazon.CDK.App(), "UserStack");
        var table = new Table(stack, "NoStream", new TableProps
        {
            PartitionKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = "id", Type = AttributeType.STRING },
        });

        var error = Assert.Throws<ArgumentException>(() => BridgeSource.FromTable(table, "roomId"));

        Assert.Contains("has no stream", error.Message, StringComparison.Ordinal);
    }
}
