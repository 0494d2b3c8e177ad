using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.Kinesis;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Bridge.Cdk;
using Constructs;

namespace Bridge.Cdk.App;

/// <summary>The deployable stack: one <see cref="DynamoDbKinesisBridge"/> configured from context, plus the outputs consumers need.</summary>
internal sealed class BridgeStack : Stack
{
    public BridgeStack(Construct scope, BridgeSettings settings)
        : base(scope, settings.StackName, new StackProps
        {
            Description = "DynamoDB Streams to Kinesis Data Streams bridge (re-keyed, per-key ordered)",
            // Environment-agnostic unless a VPC must be looked up: Vpc.FromLookup needs a concrete
            // account and region, and then (only then) synth needs credentials.
            Env = settings.VpcId is null ? null : new Amazon.CDK.Environment
            {
                Account = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
                Region = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION"),
            },
        })
    {
        Bridge = new DynamoDbKinesisBridge(this, "Bridge", new DynamoDbKinesisBridgeProps
        {
            Sources = settings.Sources,
            TargetShardCount = settings.TargetShardCount,
            OnDemand = settings.OnDemand,
            ExistingStream = ImportStream("ExistingStream", settings.ExistingStreamArn, settings.ExistingStreamKeyArn),
            StreamRetention = Duration.Hours(settings.RetentionHours),
            DeadLetterStream = ImportStream("DeadLetterStream", settings.DeadLetterStreamArn, keyArn: null),
            OnUndeliverable = settings.OnUndeliverable,
            StartPosition = settings.StartPosition,
            AllowBackfill = settings.AllowBackfill,
            Aggregation = settings.Aggregation,
            Format = settings.Format,
            MetricsExporter = settings.MetricsExporter,
            WorkerCount = settings.WorkerCount,
            Cpu = settings.Cpu,
            MemoryMiB = settings.MemoryMiB,
            Architecture = settings.Architecture == "x86_64" ? CpuArchitecture.X86_64 : CpuArchitecture.ARM64,
            Image = settings.ImageUri is { } uri ? ContainerImage.FromRegistry(uri) : null,
            Vpc = settings.VpcId is { } vpcId ? Vpc.FromLookup(this, "Vpc", new VpcLookupOptions { VpcId = vpcId }) : null,
            AssignPublicIp = settings.AssignPublicIp,
            LogRetention = settings.LogRetention,
            DrainTime = Duration.Seconds(settings.DrainSeconds),
            LeaseDuration = Duration.Seconds(settings.LeaseDurationSeconds),
            SourceLagThreshold = Duration.Minutes(settings.SourceLagAlarmMinutes),
        });

        if (settings.AlarmEmail is { } email)
        {
            Bridge.Alarms.Topic.AddSubscription(new EmailSubscription(email));
        }

        Output("TargetStreamName", Bridge.Target.StreamName, "Kinesis stream to consume: records keyed by the chosen partition key.", export: false);
        Output("TargetStreamArn", Bridge.Target.StreamArn, "Kinesis stream ARN, for consumers' IAM policies and event source mappings.", export: true);
        Output("LeaseTableName", Bridge.Leases.Table.TableName, "DynamoDB table of leases and checkpoints.", export: false);
        Output("LogGroupName", Bridge.Workers.LogGroup.LogGroupName, "Worker logs and EMF metrics.", export: false);
        Output("DashboardName", Bridge.Dashboard.Dashboard.DashboardName, "CloudWatch dashboard.", export: false);
        Output("AlarmTopicArn", Bridge.Alarms.Topic.TopicArn, "SNS topic of every alarm and OK notification: subscribe on-call here (alarmEmail does it for one address).", export: false);
    }

    public DynamoDbKinesisBridge Bridge { get; }

    private IStream? ImportStream(string id, string? streamArn, string? keyArn) =>
        streamArn is null
            ? null
            : Amazon.CDK.AWS.Kinesis.Stream.FromStreamAttributes(this, id, new StreamAttributes
            {
                StreamArn = streamArn,
                EncryptionKey = keyArn is null ? null : Key.FromKeyArn(this, $"{id}Key", keyArn),
            });

    /// <summary>The stream ARN is exported so that another stack can <c>Fn.ImportValue</c> it.</summary>
    private void Output(string id, string value, string description, bool export) =>
        _ = new CfnOutput(this, id, new CfnOutputProps
        {
            Value = value,
            Description = description,
            ExportName = export ? $"{StackName}-{id}" : null,
        });
}
