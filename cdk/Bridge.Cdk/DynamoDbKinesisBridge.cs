using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Kinesis;
using Constructs;

namespace Bridge.Cdk;

/// <summary>
/// Re-streams DynamoDB tables' change streams into a Kinesis stream, re-keyed by a chosen attribute:
/// the target stream, the lease table, the Fargate workers, their least-privilege role, alarms and a dashboard.
/// </summary>
public sealed class DynamoDbKinesisBridge : Construct
{
    public static readonly IReadOnlyList<string> OnUndeliverableChoices = ["Block", "Skip", "DeadLetter"];
    public static readonly IReadOnlyList<string> StartPositionChoices = ["TRIM_HORIZON", "LATEST", "Snapshot"];
    public static readonly IReadOnlyList<string> AggregationChoices = ["None", "Kpl"];

    /// <summary>The worker's output formats (<c>Bridge:Target:Format</c>).</summary>
    public static readonly IReadOnlyList<string> FormatChoices = Enum.GetNames<Output.OutputFormat>();
    public static readonly IReadOnlyList<string> MetricsExporterChoices = ["Emf", "CloudWatch"];

    public DynamoDbKinesisBridge(Construct scope, string id, DynamoDbKinesisBridgeProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        Validate(props);

        var stack = Stack.Of(this);
        ServiceName = props.ServiceName ?? $"{stack.StackName}-{id}";

        Target = new TargetStream(this, "Target", props).Stream;
        Leases = new LeaseTable(this, "Leases");

        var drainSeconds = (int)(props.DrainTime ?? DynamoDbKinesisBridgeProps.DefaultDrainTime).ToSeconds();
        var environment = WorkerEnvironment.For(props, Target.StreamName, Leases.Table.TableName, ServiceName, drainSeconds);
        Workers = new WorkerService(this, "Workers", props, environment);

        var taskRole = Workers.TaskDefinition.TaskRole;
        SourceStreamAccess.Grant(stack, props.Sources, taskRole, scan: props.StartPosition == "Snapshot" || props.AllowBackfill);
        TargetStream.GrantWrite(Target, taskRole);
        if (props.DeadLetterStream is { } deadLetter)
        {
            TargetStream.GrantWrite(deadLetter, taskRole);
        }

        Leases.GrantItemAccess(taskRole);
        if (props.MetricsExporter == "CloudWatch")
        {
            GrantPutMetricData(taskRole);
        }

        AcceptTaskRoleFindings(taskRole, props);

        var metrics = new WorkerMetrics(ServiceName);
        Alarms = new BridgeAlarms(this, "Alarms", metrics, Workers.Service, props.SourceLagThreshold ?? Duration.Minutes(5), props.AlarmTopic);
        Dashboard = new BridgeDashboard(this, "Dashboard", metrics, Target, Workers.Service, Alarms);
    }

    /// <summary>The stream consumers read: the new one, or <see cref="DynamoDbKinesisBridgeProps.ExistingStream"/>.</summary>
    public IStream Target { get; }

    public LeaseTable Leases { get; }

    public WorkerService Workers { get; }

    public BridgeAlarms Alarms { get; }

    public BridgeDashboard Dashboard { get; }

    /// <summary>The <see cref="BridgeMetricNames.ServiceDimension"/> value the workers emit and the alarms watch.</summary>
    public string ServiceName { get; }

    // PutMetricData has no resource-level permission, so the resource must be "*"; the
    // namespace condition is what keeps the worker out of every other namespace.
    private static void GrantPutMetricData(IGrantable grantee) =>
        grantee.GrantPrincipal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["cloudwatch:PutMetricData"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["cloudwatch:namespace"] = BridgeMetricNames.Namespace },
            },
        }));

    /// <summary>The task role's wildcards, each the narrowest IAM allows (see <see cref="SourceStreamAccess"/> and <see cref="GrantPutMetricData"/>).</summary>
    private static void AcceptTaskRoleFindings(IRole taskRole, DynamoDbKinesisBridgeProps props)
    {
        var rules = new List<NagRule> { WorkerService.InlinePolicy("task role") };
        if (props.Sources.Any(source => source.ExplicitStreamArn is null))
        {
            rules.Add(new NagRule(
                "AwsSolutions-IAM5",
                "A source given by table name is read through table/NAME/stream/*: the stream's label (a timestamp) is known only at run time (the worker finds it with DescribeTable) and changes whenever the table's stream is re-enabled. The wildcard covers only that table's streams, for DescribeStream, GetRecords and GetShardIterator (read-only). Give the stream ARN instead to grant that exact stream.",
                @"regex:^Resource::arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/[^/]+/stream/\*$"));
        }

        if (props.MetricsExporter == "CloudWatch")
        {
            rules.Add(new NagRule(
                "AwsSolutions-IAM5",
                "cloudwatch:PutMetricData has no resource-level permission (IAM evaluates it only against \"*\"); a cloudwatch:namespace condition limits it to the bridge's own namespace.",
                "Resource::*"));
        }

        NagSuppressions.Add(taskRole.Node.FindChild("DefaultPolicy"), [.. rules]);
    }

    private static void Validate(DynamoDbKinesisBridgeProps props)
    {
        if (props.Sources is null || props.Sources.Count == 0)
        {
            throw new ArgumentException("A bridge needs at least one source table.", nameof(props));
        }

        RequireOneOf(nameof(props.OnUndeliverable), props.OnUndeliverable, OnUndeliverableChoices);
        RequireOneOf(nameof(props.StartPosition), props.StartPosition, StartPositionChoices);
        RequireOneOf(nameof(props.Aggregation), props.Aggregation, AggregationChoices);
        RequireOneOf(nameof(props.Format), props.Format, FormatChoices);
        RequireOneOf(nameof(props.MetricsExporter), props.MetricsExporter, MetricsExporterChoices);

        if (props.OnUndeliverable == "DeadLetter" && props.DeadLetterStream is null)
        {
            throw new ArgumentException("OnUndeliverable=DeadLetter needs a DeadLetterStream.", nameof(props));
        }

        if (props.OnDemand && props.ExistingStream is not null)
        {
            throw new ArgumentException("OnDemand applies to a new stream only; an existing stream keeps its own capacity mode.", nameof(props));
        }

        if (props.LeaseDuration is { } lease && lease.ToSeconds() < 3)
        {
            throw new ArgumentException("LeaseDuration must be at least 3 s: leases are renewed every third of it, and a shorter one is lost to a slow renewal.", nameof(props));
        }
    }

    private static void RequireOneOf(string name, string value, IReadOnlyList<string> choices)
    {
        if (!choices.Contains(value, StringComparer.Ordinal))
        {
            throw new ArgumentException($"{name} must be one of {string.Join(", ", choices)} (was '{value}').", name);
        }
    }
}
