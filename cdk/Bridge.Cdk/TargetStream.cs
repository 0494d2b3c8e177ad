using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Kinesis;
using KinesisStream = Amazon.CDK.AWS.Kinesis.Stream;
using Constructs;

namespace Bridge.Cdk;

/// <summary>The Kinesis stream the bridge writes to: a new one sized by the props, or an existing one.</summary>
public sealed class TargetStream : Construct
{
    /// <summary>Everything the worker calls on a target stream; nothing that reads or reconfigures it.</summary>
    internal static readonly string[] WriteActions =
    [
        "kinesis:PutRecord",
        "kinesis:PutRecords",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
    ];

    public TargetStream(Construct scope, string id, DynamoDbKinesisBridgeProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        Stream = props.ExistingStream ?? CreateStream(props);
    }

    public IStream Stream { get; }

    /// <summary>Lets <paramref name="grantee"/> write to <paramref name="stream"/> and nothing else.</summary>
    internal static void GrantWrite(IStream stream, IGrantable grantee)
    {
        grantee.GrantPrincipal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = WriteActions,
            Resources = [stream.StreamArn],
        }));

        // A customer-managed key must let us encrypt; the AWS-managed alias/aws/kinesis key
        // (what StreamEncryption.MANAGED uses) needs no grant, and then EncryptionKey is null.
        if (stream.EncryptionKey is { } key)
        {
            grantee.GrantPrincipal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Actions = ["kms:GenerateDataKey"],
                Resources = [key.KeyArn],
            }));
        }
    }

    private KinesisStream CreateStream(DynamoDbKinesisBridgeProps props)
    {
        if (!props.OnDemand && props.TargetShardCount < 1)
        {
            throw new ArgumentException($"TargetShardCount must be at least 1 (was {props.TargetShardCount}).", nameof(props));
        }

        return new KinesisStream(this, "Resource", new StreamProps
        {
            StreamMode = props.OnDemand ? StreamMode.ON_DEMAND : StreamMode.PROVISIONED,
            // On-demand streams must not name a shard count: CloudFormation rejects the pair.
            ShardCount = props.OnDemand ? null : props.TargetShardCount,
            Encryption = StreamEncryption.MANAGED,
            RetentionPeriod = props.StreamRetention ?? Duration.Hours(24),
        });
    }
}
