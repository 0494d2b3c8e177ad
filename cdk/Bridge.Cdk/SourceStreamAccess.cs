using Amazon.CDK;
using Amazon.CDK.AWS.IAM;

namespace Bridge.Cdk;

/// <summary>The read-only permissions a worker needs on the source tables and their streams.</summary>
internal static class SourceStreamAccess
{
    internal static readonly string[] StreamReadActions =
    [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
    ];

    /// <summary>Only to look up a table's current stream ARN.</summary>
    internal static readonly string[] TableActions = ["dynamodb:DescribeTable"];

    /// <summary>Only for a backfill (StartPosition Snapshot, or the backfill command): reading the tables' items.</summary>
    internal static readonly string[] ScanActions = ["dynamodb:Scan"];

    /// <summary>ListStreams supports no resource-level permission (see the Service Authorization Reference).</summary>
    internal static readonly string[] ListActions = ["dynamodb:ListStreams"];

    /// <param name="scan">Also <see cref="ScanActions"/> on the tables, when a backfill is configured.</param>
    public static void Grant(Stack stack, IEnumerable<BridgeSource> sources, IGrantable grantee, bool scan)
    {
        var list = sources.ToList();
        var principal = grantee.GrantPrincipal;

        principal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = StreamReadActions,
            Resources = list.Select(source => source.StreamArnPattern(stack)).Distinct().ToArray(),
        }));

        principal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = scan ? [.. TableActions, .. ScanActions] : TableActions,
            Resources = list.Select(source => source.TableArn(stack)).Distinct().ToArray(),
        }));

        // The one wildcard in the policy, because IAM offers no narrower one: ListStreams is not
        // tied to a table or stream ARN, so IAM evaluates it only against "*". It reveals stream
        // ARNs, never data; reading a stream still needs the statement above.
        principal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ListActions,
            Resources = ["*"],
        }));
    }
}
