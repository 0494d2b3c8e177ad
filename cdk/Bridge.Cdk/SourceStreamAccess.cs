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

    /// <summary>Only to look up a table's current stream ARN, so only for sources given by table name: the worker
    /// finds the stream with DescribeTable, never with ListStreams (which IAM could only grant on "*").</summary>
    internal static readonly string[] TableActions = ["dynamodb:DescribeTable"];

    /// <summary>Only for a backfill (StartPosition Snapshot, or the backfill command): reading every source table's
    /// items, and its key schema and size (DescribeTable), whether the source is given by table name or stream ARN.</summary>
    internal static readonly string[] ScanActions = ["dynamodb:Scan", "dynamodb:DescribeTable"];

    /// <param name="scan">Grant <see cref="ScanActions"/> on every source table, when a backfill is configured.</param>
    public static void Grant(Stack stack, IEnumerable<BridgeSource> sources, IGrantable grantee, bool scan)
    {
        var list = sources.ToList();
        var principal = grantee.GrantPrincipal;

        principal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = StreamReadActions,
            Resources = list.Select(source => source.StreamArnPattern(stack)).Distinct().ToArray(),
        }));

        if (scan)
        {
            principal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Actions = ScanActions,
                Resources = list.Select(source => source.TableArn(stack)).Distinct().ToArray(),
            }));
            return;
        }

        var byName = list.Where(source => source.ExplicitStreamArn is null).Select(source => source.TableArn(stack)).Distinct().ToArray();
        if (byName.Length > 0)
        {
            principal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Actions = TableActions,
                Resources = byName,
            }));
        }
    }
}
