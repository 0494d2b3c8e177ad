using System.Text.Json;
using Amazon.CDK.Assertions;

namespace Bridge.Cdk.Tests;

/// <summary>The gaps cdk-nag found that are fixed in the stack, and the form of the findings it accepts
/// (cdk/nag/check.js runs the packs themselves over the synthesized template in CI).</summary>
public sealed class SecurityReviewTests
{
    [Fact]
    public void Every_alarm_notifies_a_topic_whose_arn_is_an_output_even_without_an_email()
    {
        var stack = SynthesizedStack.FromContext();

        var topic = Assert.Single(stack.Json.GetProperty("Resources").EnumerateObject(), r => r.Value.GetProperty("Type").GetString() == "AWS::SNS::Topic");
        Assert.All(stack.Resources("AWS::CloudWatch::Alarm"), alarm =>
        {
            var properties = alarm.GetProperty("Properties");
            Assert.Equal(topic.Name, Assert.Single(properties.GetProperty("AlarmActions").EnumerateArray()).GetProperty("Ref").GetString());
            Assert.Equal(topic.Name, Assert.Single(properties.GetProperty("OKActions").EnumerateArray()).GetProperty("Ref").GetString());
        });
        stack.Template.ResourceCountIs("AWS::SNS::Subscription", 0);
        stack.Template.HasOutput("AlarmTopicArn", new Dictionary<string, object> { ["Value"] = new Dictionary<string, object> { ["Ref"] = topic.Name } });
    }

    [Fact]
    public void The_alarm_topic_takes_publishes_from_cloudwatch_over_tls_only()
    {
        var stack = SynthesizedStack.FromContext();

        var statements = Assert.Single(stack.Resources("AWS::SNS::TopicPolicy")).GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray().ToList();
        Assert.Contains(statements, s => s.GetProperty("Effect").GetString() == "Allow"
            && s.GetProperty("Principal").GetProperty("Service").GetString() == "cloudwatch.amazonaws.com");
        Assert.Contains(statements, s => s.GetProperty("Effect").GetString() == "Deny"
            && s.GetProperty("Condition").GetProperty("Bool").GetProperty("aws:SecureTransport").GetString() == "false");
    }

    [Fact]
    public void The_new_vpc_has_flow_logs_kept_two_weeks_and_an_emptied_default_security_group()
    {
        var stack = SynthesizedStack.FromContext();

        var flowLog = Assert.Single(stack.Resources("AWS::EC2::FlowLog")).GetProperty("Properties");
        Assert.Equal("ALL", flowLog.GetProperty("TrafficType").GetString());
        var group = flowLog.GetProperty("LogGroupName").GetProperty("Ref").GetString();
        Assert.Equal(14, stack.Json.GetProperty("Resources").GetProperty(group!).GetProperty("Properties").GetProperty("RetentionInDays").GetInt32());
        stack.Template.ResourceCountIs("Custom::VpcRestrictDefaultSG", 1);
    }

    [Theory]
    [InlineData("Emf")]
    [InlineData("CloudWatch")]
    public void Every_accepted_finding_has_a_reason_and_the_task_roles_wildcards_are_named(string exporter)
    {
        var stack = SynthesizedStack.FromContext(("metricsExporter", exporter));

        var accepted = stack.Json.GetProperty("Resources").EnumerateObject()
            .Where(r => r.Value.TryGetProperty("Metadata", out var m) && m.TryGetProperty("cdk_nag", out _))
            .SelectMany(r => r.Value.GetProperty("Metadata").GetProperty("cdk_nag").GetProperty("rules_to_suppress").EnumerateArray().Select(rule => (Resource: r.Name, Rule: rule)))
            .ToList();

        Assert.All(accepted, a => Assert.True(a.Rule.GetProperty("reason").GetString()!.Length >= 80, $"{a.Resource}: {a.Rule}"));
        var taskRoleWildcards = accepted.Where(a => a.Resource.Contains("TaskRoleDefaultPolicy", StringComparison.Ordinal) && a.Rule.GetProperty("id").GetString() == "AwsSolutions-IAM5")
            .SelectMany(a => a.Rule.GetProperty("applies_to").EnumerateArray().Select(x => x.GetString()))
            .ToList();
        Assert.Contains(taskRoleWildcards, w => w!.StartsWith("regex:", StringComparison.Ordinal) && w.Contains("/stream/", StringComparison.Ordinal));
        Assert.Equal(exporter == "CloudWatch", taskRoleWildcards.Contains("Resource::*"));
    }
}
