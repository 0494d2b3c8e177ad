using Amazon.CDK.Assertions;

namespace Bridge.Cdk.Tests;

public sealed class LeaseTableTests
{
    [Fact]
    public void Lease_table_is_on_demand_encrypted_with_point_in_time_recovery()
    {
        var stack = SynthesizedStack.FromContext();

        stack.Template.HasResourceProperties("AWS::DynamoDB::Table", new Dictionary<string, object>
        {
            ["KeySchema"] = new object[] { new Dictionary<string, object> { ["AttributeName"] = "leaseKey", ["KeyType"] = "HASH" } },
            ["BillingMode"] = "PAY_PER_REQUEST",
            ["PointInTimeRecoverySpecification"] = new Dictionary<string, object> { ["PointInTimeRecoveryEnabled"] = true },
            ["SSESpecification"] = new Dictionary<string, object> { ["SSEEnabled"] = true },
        });
    }

    [Fact]
    public void Lease_table_outlives_the_stack()
    {
        var stack = SynthesizedStack.FromContext();

        stack.Template.HasResource("AWS::DynamoDB::Table", new Dictionary<string, object> { ["DeletionPolicy"] = "Retain" });
    }
}
