using System.Text.Json;
using Amazon.CDK.Assertions;

namespace Bridge.Cdk.Tests;

public sealed class WorkerServiceTests
{
    [Fact]
    public void Desired_count_and_task_size_come_from_context()
    {
        var stack = SynthesizedStack.FromContext(("workerCount", "3"), ("cpu", "512"), ("memoryMiB", "2048"));

        stack.Template.HasResourceProperties("AWS::ECS::Service", new Dictionary<string, object>
        {
            ["DesiredCount"] = 3,
            ["LaunchType"] = "FARGATE",
        });
        stack.Template.HasResourceProperties("AWS::ECS::TaskDefinition", new Dictionary<string, object>
        {
            ["Cpu"] = "512",
            ["Memory"] = "2048",
        });
    }

    [Fact]
    public void Workers_default_to_two_on_arm64()
    {
        var stack = SynthesizedStack.FromContext();

        stack.Template.HasResourceProperties("AWS::ECS::Service", new Dictionary<string, object> { ["DesiredCount"] = 2 });
        stack.Template.HasResourceProperties("AWS::ECS::TaskDefinition", new Dictionary<string, object>
        {
            ["RuntimePlatform"] = new Dictionary<string, object> { ["CpuArchitecture"] = "ARM64", ["OperatingSystemFamily"] = "LINUX" },
        });
    }

    [Fact]
    public void Container_is_health_checked_and_stops_after_the_drain()
    {
        var stack = SynthesizedStack.FromContext(("drainSeconds", "40"));

        var container = Container(stack);
        Assert.Equal(
            ["CMD", "dotnet", "/app/Bridge.Host.dll", "--health-check"],
            container.GetProperty("HealthCheck").GetProperty("Command").EnumerateArray().Select(e => e.GetString()));
        Assert.True(container.GetProperty("StopTimeout").GetInt32() > 40);
        Assert.Contains(
            container.GetProperty("Environment").EnumerateArray(),
            e => e.GetProperty("Name").GetString() == "Bridge__ShutdownTimeout" && e.GetProperty("Value").GetString() == "00:00:40");
    }

    [Fact]
    public void Container_is_configured_through_the_bridge_environment_contract()
    {
        var stack = SynthesizedStack.FromContext(("startPosition", "LATEST"), ("aggregation", "Kpl"), ("leaseDurationSeconds", "6"));

        var environment = Container(stack).GetProperty("Environment").EnumerateArray()
            .ToDictionary(e => e.GetProperty("Name").GetString()!, e => e.GetProperty("Value"));
        Assert.Equal("chat-messages", environment["Bridge__Sources__0__TableName"].GetString());
        Assert.Equal("roomId", environment["Bridge__Sources__0__PartitionKey"].GetString());
        Assert.Equal("orders", environment["Bridge__Sources__1__TableName"].GetString());
        Assert.Equal("customerId", environment["Bridge__Sources__1__PartitionKey"].GetString());
        Assert.Equal("LATEST", environment["Bridge__StartPosition"].GetString());
        Assert.Equal("Kpl", environment["Bridge__Target__Aggregation"].GetString());
        Assert.Equal("00:00:06", environment["Bridge__Leases__Duration"].GetString());
        Assert.Equal("Emf", environment["Bridge__Metrics__Exporter"].GetString());
        Assert.Equal(JsonValueKind.Object, environment["Bridge__Target__StreamName"].ValueKind);
        Assert.Equal(JsonValueKind.Object, environment["Bridge__Checkpoints__TableName"].ValueKind);
    }

    [Fact]
    public void Default_network_has_no_nat_gateway_and_tasks_get_public_ips()
    {
        var stack = SynthesizedStack.FromContext();

        stack.Template.ResourceCountIs("AWS::EC2::NatGateway", 0);
        stack.Template.HasResourceProperties("AWS::ECS::Service", new Dictionary<string, object>
        {
            ["NetworkConfiguration"] = new Dictionary<string, object>
            {
                ["AwsvpcConfiguration"] = Match.ObjectLike(new Dictionary<string, object> { ["AssignPublicIp"] = "ENABLED" }),
            },
        });
    }

    [Fact]
    public void Logs_are_kept_for_the_configured_days()
    {
        var stack = SynthesizedStack.FromContext(("logRetentionDays", "7"));

        stack.Template.HasResourceProperties("AWS::Logs::LogGroup", new Dictionary<string, object> { ["RetentionInDays"] = 7 });
    }

    [Fact]
    public void Image_uri_replaces_the_repository_build()
    {
        const string image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/bridge:1.2.3";

        var stack = SynthesizedStack.FromContext(("imageUri", image));

        Assert.Equal(image, Container(stack).GetProperty("Image").GetString());
    }

    private static JsonElement Container(SynthesizedStack stack) =>
        Assert.Single(stack.Resources("AWS::ECS::TaskDefinition")).GetProperty("Properties").GetProperty("ContainerDefinitions")[0];
}
