namespace Bridge.Cdk.Tests;

public sealed class LeastPrivilegeTests
{
    /// <summary>Everything the worker's role may do, and nothing else.</summary>
    private static readonly string[] WorkerActions =
    [
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
        "dynamodb:DescribeTable",
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan",
        "kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStreamSummary", "kinesis:ListShards",
    ];

    /// <summary>
    /// The only action allowed on "*", because IAM supports no narrower resource for it: ECR's GetAuthorizationToken
    /// (execution role, added by the CDK to pull the image). The task role has none: the worker finds a table's stream
    /// with DescribeTable, so it needs no ListStreams (which IAM could grant only on "*").
    /// </summary>
    private static readonly string[] WildcardResourceActions = ["ecr:GetAuthorizationToken"];

    [Fact]
    public void Worker_role_has_exactly_the_actions_it_needs()
    {
        var stack = SynthesizedStack.FromContext();

        var granted = stack.PolicyStatements().Where(s => s.IsTaskRolePolicy).SelectMany(s => s.Actions).ToHashSet();

        Assert.Equal(WorkerActions.Order(), granted.Order());
    }

    [Fact]
    public void No_action_is_a_wildcard()
    {
        var stack = SynthesizedStack.FromContext(("metricsExporter", "CloudWatch"));

        Assert.All(stack.PolicyStatements().SelectMany(s => s.Actions), action => Assert.DoesNotContain("*", action, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_resource_is_a_real_arn_except_the_documented_cases()
    {
        var stack = SynthesizedStack.FromContext();

        var wildcards = stack.PolicyStatements().Where(s => s.HasWildcardResource).ToList();

        Assert.All(wildcards, statement => Assert.Single(statement.Actions));
        Assert.Equal(WildcardResourceActions.Order(), wildcards.SelectMany(s => s.Actions).Order());
    }

    [Fact]
    public void Stream_reads_name_only_the_source_tables_streams()
    {
        var stack = SynthesizedStack.FromContext();

        var read = Assert.Single(stack.PolicyStatements(), s => s.Actions.Contains("dynamodb:GetRecords"));
        Assert.Equal(2, read.Resources.Count);
        Assert.Contains(":table/chat-messages/stream/*", read.ResourceText, StringComparison.Ordinal);
        Assert.Contains(":table/orders/stream/*", read.ResourceText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_given_by_stream_arn_is_granted_that_exact_stream()
    {
        const string streamArn = "arn:aws:dynamodb:us-east-1:111122223333:table/orders/stream/2026-01-01T00:00:00.000";

        var stack = SynthesizedStack.FromContext(("sourceTables", $"{streamArn}:customerId"));

        var read = Assert.Single(stack.PolicyStatements(), s => s.Actions.Contains("dynamodb:GetRecords"));
        Assert.Equal($"\"{streamArn}\"", read.ResourceText);

        // Given its stream, the worker never describes the table: no DescribeTable on it, and no table/NAME/stream/* pattern.
        Assert.DoesNotContain(stack.PolicyStatements(), s => s.Actions.Contains("dynamodb:DescribeTable") && s.ResourceText.Contains("table/orders", StringComparison.Ordinal));
        Assert.DoesNotContain(stack.PolicyStatements(), s => s.ResourceText.Contains("/stream/*", StringComparison.Ordinal));
    }

    [Fact]
    public void With_emf_metrics_the_task_role_grants_nothing_on_a_wildcard_resource()
    {
        // (With metricsExporter=CloudWatch, PutMetricData is on "*" limited by a namespace condition: see PutMetricData_is_limited_to_the_bridge_namespace.)
        var stack = SynthesizedStack.FromContext();

        Assert.DoesNotContain(stack.PolicyStatements(), s => s.IsTaskRolePolicy && s.HasWildcardResource);
        Assert.DoesNotContain(stack.PolicyStatements(), s => s.Actions.Contains("dynamodb:ListStreams"));
    }

    [Theory]
    [InlineData("kinesis:PutRecords", "AWS::Kinesis::Stream")]
    [InlineData("dynamodb:PutItem", "AWS::DynamoDB::Table")]
    public void Writes_name_only_the_bridges_own_resource(string writeAction, string resourceType)
    {
        var stack = SynthesizedStack.FromContext();

        var write = Assert.Single(stack.PolicyStatements(), s => s.Actions.Contains(writeAction));
        var resource = Assert.Single(write.Resources);
        var ownResource = Assert.Single(stack.Json.GetProperty("Resources").EnumerateObject(), r => r.Value.GetProperty("Type").GetString() == resourceType);
        Assert.Equal(ownResource.Name, resource.GetProperty("Fn::GetAtt")[0].GetString());
    }

    [Fact]
    public void Emf_metrics_need_no_cloudwatch_permission()
    {
        var stack = SynthesizedStack.FromContext();

        Assert.DoesNotContain(stack.PolicyStatements(), s => s.Actions.Any(a => a.StartsWith("cloudwatch:", StringComparison.Ordinal)));
    }

    [Fact]
    public void PutMetricData_is_limited_to_the_bridge_namespace()
    {
        var stack = SynthesizedStack.FromContext(("metricsExporter", "CloudWatch"));

        var put = Assert.Single(stack.PolicyStatements(), s => s.Actions.Contains("cloudwatch:PutMetricData"));
        Assert.Equal(
            BridgeMetricNames.Namespace,
            put.Statement.GetProperty("Condition").GetProperty("StringEquals").GetProperty("cloudwatch:namespace").GetString());
    }

    [Fact]
    public void Dead_letter_stream_is_writable()
    {
        const string deadLetterArn = "arn:aws:kinesis:us-east-1:111122223333:stream/bridge-dead-letters";

        var stack = SynthesizedStack.FromContext(("onUndeliverable", "DeadLetter"), ("deadLetterStreamArn", deadLetterArn));

        Assert.Contains(stack.PolicyStatements(), s => s.Actions.Contains("kinesis:PutRecords") && s.ResourceText == $"\"{deadLetterArn}\"");
    }

    [Fact]
    public void Source_tables_cannot_be_scanned_without_a_backfill()
    {
        var stack = SynthesizedStack.FromContext();

        Assert.DoesNotContain(stack.PolicyStatements(), s => s.Actions.Contains("dynamodb:Scan") && s.ResourceText.Contains(":table/chat-messages", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("startPosition", "Snapshot")]
    [InlineData("allowBackfill", "true")]
    public void A_backfill_may_scan_exactly_the_source_tables(string key, string value)
    {
        var stack = SynthesizedStack.FromContext((key, value));

        var scan = Assert.Single(stack.PolicyStatements(), s => s.Actions.Contains("dynamodb:Scan") && s.ResourceText.Contains(":table/chat-messages", StringComparison.Ordinal));
        Assert.Equal(2, scan.Resources.Count);
        Assert.Contains(":table/orders", scan.ResourceText, StringComparison.Ordinal);
        Assert.DoesNotContain("/stream/", scan.ResourceText, StringComparison.Ordinal);
    }
}
