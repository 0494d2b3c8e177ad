using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace Bridge.Cdk;

/// <summary>The DynamoDB table in which workers hold shard leases and record checkpoints.</summary>
/// <remarks>
/// Retained when the stack is deleted: the checkpoints are the only record of how far each source
/// shard was forwarded, and losing them means re-sending up to 24 hours of changes.
/// </remarks>
public sealed class LeaseTable : Construct
{
    /// <summary>The key schema the worker's lease store expects.</summary>
    public const string PartitionKeyName = "leaseKey";

    /// <summary>Item access only: the stack creates the table, so the worker never needs CreateTable.</summary>
    internal static readonly string[] ItemActions =
    [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:DescribeTable",
    ];

    public LeaseTable(Construct scope, string id)
        : base(scope, id)
    {
        Table = new Table(this, "Resource", new TableProps
        {
            PartitionKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = PartitionKeyName, Type = AttributeType.STRING },
            BillingMode = BillingMode.PAY_PER_REQUEST,
            PointInTimeRecovery = true,
            Encryption = TableEncryption.AWS_MANAGED,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        NagSuppressions.Add(Table, new NagRule(
            "NIST.800.53.R5-DynamoDBInBackupPlan",
            "Point-in-time recovery is on (restore to any second of the last 35 days), and the table holds only leases and checkpoints: operational state of the bridge, no business data, rebuilt by the workers. An AWS Backup plan would add cost and no recovery the PITR does not give."));
    }

    public Table Table { get; }

    internal void GrantItemAccess(IGrantable grantee) =>
        grantee.GrantPrincipal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ItemActions,
            Resources = [Table.TableArn],
        }));
}
