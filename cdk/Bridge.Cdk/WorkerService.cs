using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.Logs;
using Constructs;

namespace Bridge.Cdk;

/// <summary>The Fargate service that runs the bridge workers, and their log group.</summary>
public sealed class WorkerService : Construct
{
    /// <summary>The worker's own HTTP port for /health and /ready; nothing outside the task calls it.</summary>
    public const int HealthPort = 8080;

    /// <summary>
    /// The runtime images have no curl or wget, so the worker checks itself: the host team's
    /// <c>Bridge.Host --health-check</c> GETs http://localhost:8080/health and exits 0 or 1.
    /// </summary>
    internal static readonly string[] HealthCheckCommand = ["CMD", "dotnet", "/app/Bridge.Host.dll", "--health-check"];

    // Fargate's ceiling for stopTimeout; past it the task is killed whatever we ask.
    private static readonly int MaxStopSeconds = 120;

    public WorkerService(Construct scope, string id, DynamoDbKinesisBridgeProps props, IDictionary<string, string> environment)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (props.WorkerCount < 0)
        {
            throw new ArgumentException($"WorkerCount must not be negative (was {props.WorkerCount}).", nameof(props));
        }

        FargateTaskSize.Validate(props.Cpu, props.MemoryMiB);
        var architecture = props.Architecture ?? CpuArchitecture.ARM64;
        var vpc = props.Vpc ?? CreateVpc();

        LogGroup = new LogGroup(this, "Logs", new LogGroupProps
        {
            Retention = props.LogRetention,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });

        var cluster = new Cluster(this, "Cluster", new ClusterProps
        {
            Vpc = vpc,
            // Container Insights bills per metric; the alarms here use free AWS/ECS metrics instead.
            ContainerInsights = false,
        });
        NagSuppressions.Add(cluster, new NagRule(
            "AwsSolutions-ECS4",
            "Container Insights is off for cost: it bills per metric and task. The NoRunningWorkers alarm uses the free AWS/ECS CPU metric, and the workers' own EMF metrics (lag, throughput, errors, leases) feed the other alarms and the dashboard."));

        TaskDefinition = new FargateTaskDefinition(this, "Task", new FargateTaskDefinitionProps
        {
            Cpu = props.Cpu,
            MemoryLimitMiB = props.MemoryMiB,
            RuntimePlatform = new RuntimePlatform
            {
                CpuArchitecture = architecture,
                OperatingSystemFamily = OperatingSystemFamily.LINUX,
            },
        });

        TaskDefinition.AddContainer("Worker", new ContainerDefinitionOptions
        {
            Image = props.Image ?? WorkerImage.FromRepository(architecture),
            Environment = environment,
            Logging = LogDrivers.AwsLogs(new AwsLogDriverProps
            {
                LogGroup = LogGroup,
                StreamPrefix = "worker",
                // EMF metric lines must reach CloudWatch Logs whole, and a worker must never block on stdout.
                Mode = AwsLogDriverMode.NON_BLOCKING,
            }),
            PortMappings = [new PortMapping { ContainerPort = HealthPort, Name = "health" }],
            HealthCheck = new Amazon.CDK.AWS.ECS.HealthCheck
            {
                Command = HealthCheckCommand,
                Interval = Duration.Seconds(30),
                Timeout = Duration.Seconds(5),
                Retries = 3,
                // Long enough to take leases and make a first read on a cold start.
                StartPeriod = Duration.Seconds(60),
            },
            StopTimeout = StopTimeout(props.DrainTime ?? DynamoDbKinesisBridgeProps.DefaultDrainTime),
        });

        NagSuppressions.Add(TaskDefinition, new NagRule(
            "AwsSolutions-ECS2",
            "The environment holds only non-secret configuration: table, stream and lease-table names, tuning values, log and metrics settings. The worker has no secret to pass: it reaches AWS with the task role's temporary credentials."));
        AcceptExecutionRoleFindings(TaskDefinition, fromEcr: props.Image is null);
        NagSuppressions.Add(LogGroup, LogGroupEncryption);

        Service = new FargateService(this, "Service", new FargateServiceProps
        {
            Cluster = cluster,
            TaskDefinition = TaskDefinition,
            DesiredCount = props.WorkerCount,
            AssignPublicIp = props.AssignPublicIp,
            VpcSubnets = new SubnetSelection { SubnetType = props.AssignPublicIp ? SubnetType.PUBLIC : SubnetType.PRIVATE_WITH_EGRESS },
            // Leases make old and new workers overlapping during a deployment safe: each shard has one owner.
            MinHealthyPercent = 100,
            MaxHealthyPercent = 200,
            CircuitBreaker = new DeploymentCircuitBreaker { Rollback = true },
        });
    }

    public FargateService Service { get; }

    public FargateTaskDefinition TaskDefinition { get; }

    public LogGroup LogGroup { get; }

    /// <summary>Shared by the workers' and the flow logs' log groups.</summary>
    private static readonly NagRule LogGroupEncryption = new(
        "NIST.800.53.R5-CloudWatchLogGroupEncrypted",
        "CloudWatch Logs encrypts every log group at rest with AWS-owned keys. A customer-managed KMS key adds $1 a month and a key policy to manage, for logs that carry table names, shard ids, sequence numbers and (for undeliverable records only) partition-key values, never item payloads. Set a key on the log group if your policy requires customer-managed keys.");

    /// <summary>CDK grants each role's permissions as that role's own inline policy: the statements are scoped to
    /// this stack's resources, and a managed policy holding the same statements would be no narrower.</summary>
    internal static NagRule InlinePolicy(string role) => new(
        "NIST.800.53.R5-IAMNoInlinePolicy",
        $"The {role}'s permissions are CDK grants written as a policy attached to this one role only, each statement naming this stack's resources; a customer-managed policy with the same statements would be no narrower and could be attached elsewhere.");

    private static void AcceptExecutionRoleFindings(TaskDefinition task, bool fromEcr)
    {
        if (task.ExecutionRole?.Node.TryFindChild("DefaultPolicy") is not { } policy)
        {
            return;
        }

        var rules = new List<NagRule> { InlinePolicy("execution role") };
        if (fromEcr)
        {
            rules.Add(new NagRule(
                "AwsSolutions-IAM5",
                "ecr:GetAuthorizationToken has no resource-level permission (IAM evaluates it only against \"*\"); it yields a registry login token, and pulling still needs the repository-scoped ecr:BatchGetImage and ecr:GetDownloadUrlForLayer granted on the image's repository only.",
                "Resource::*"));
        }

        NagSuppressions.Add(policy, [.. rules]);
    }

    /// <summary>
    /// ECS sends SIGTERM, waits this long, then SIGKILL. It must outlast the drain (flush, final
    /// checkpoint, release leases), or every deployment re-sends the in-flight batch.
    /// </summary>
    private static Duration StopTimeout(Duration drainTime)
    {
        var seconds = drainTime.ToSeconds() + 15;
        if (seconds > MaxStopSeconds)
        {
            throw new ArgumentException($"DrainTime must be at most {MaxStopSeconds - 15} s: Fargate kills a task {MaxStopSeconds} s after SIGTERM.");
        }

        return Duration.Seconds(seconds);
    }

    /// <summary>
    /// Public subnets only, no NAT gateway: tasks reach AWS APIs through their public IPs and the
    /// internet gateway, which costs nothing per hour (a NAT gateway costs about $33 a month per AZ).
    /// Its default security group is emptied (nothing uses it; the service has its own), and its
    /// traffic is recorded in flow logs kept two weeks.
    /// </summary>
    private Vpc CreateVpc()
    {
        var vpc = new Vpc(this, "Vpc", new VpcProps
        {
            MaxAzs = 2,
            NatGateways = 0,
            SubnetConfiguration =
            [
                new SubnetConfiguration { Name = "public", SubnetType = SubnetType.PUBLIC, CidrMask = 24 },
            ],
            RestrictDefaultSecurityGroup = true,
        });

        // A worker keeps a few long-lived HTTPS connections to AWS endpoints, aggregated per 10 minutes:
        // a few MB of flow records a month, cents of CloudWatch Logs ingestion.
        var flowLogs = new LogGroup(this, "FlowLogs", new LogGroupProps
        {
            Retention = RetentionDays.TWO_WEEKS,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });
        var flowLog = vpc.AddFlowLog("FlowLog", new FlowLogOptions
        {
            Destination = FlowLogDestination.ToCloudWatchLogs(flowLogs),
            TrafficType = FlowLogTrafficType.ALL,
            MaxAggregationInterval = FlowLogMaxAggregationInterval.TEN_MINUTES,
        });
        NagSuppressions.Add(flowLogs, LogGroupEncryption);
        NagSuppressions.Add(flowLog.Node.FindChild("IAMRole").Node.FindChild("DefaultPolicy"), InlinePolicy("flow log delivery role"));
        AcceptPublicSubnetFindings(vpc);
        AcceptDefaultSecurityGroupProviderFindings(Stack.Of(this));
        return vpc;
    }

    /// <summary>The cost-driven choice above: public subnets and an internet route instead of a NAT gateway.</summary>
    private static void AcceptPublicSubnetFindings(Vpc vpc)
    {
        const string why = "The bridge's own VPC has public subnets and no NAT gateway, to save about $33 a month per AZ: tasks reach the AWS APIs over TLS through their public IPs. Nothing can connect in: the service's security group allows no inbound traffic and the default security group is emptied. For private subnets, deploy into your own VPC (context vpcId, assignPublicIp=false) with a NAT gateway or VPC endpoints.";
        foreach (var subnet in vpc.PublicSubnets)
        {
            NagSuppressions.Add(subnet, new NagRule("NIST.800.53.R5-VPCSubnetAutoAssignPublicIpDisabled", why));
            NagSuppressions.Add(subnet.Node.FindChild("DefaultRoute"), new NagRule("NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW", why));
        }
    }

    /// <summary>The Lambda that CDK adds, once per stack, to empty the default security group (RestrictDefaultSecurityGroup).</summary>
    private static void AcceptDefaultSecurityGroupProviderFindings(Stack stack)
    {
        if (stack.Node.TryFindChild("Custom::VpcRestrictDefaultSGCustomResourceProvider") is not { } provider
            || provider.Node.FindChild("Handler") is not CfnResource handler || handler.GetMetadata(NagSuppressions.MetadataKey) is not null)
        {
            return;
        }

        const string owner = "CDK's own custom-resource handler for RestrictDefaultSecurityGroup: CloudFormation invokes it only while the stack is created, updated or deleted, to remove the default security group's rules.";
        NagSuppressions.Add(
            provider.Node.FindChild("Role"),
            new NagRule("AwsSolutions-IAM4", owner + " Its role uses AWSLambdaBasicExecutionRole only to write its own logs.", "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
            new NagRule("NIST.800.53.R5-IAMNoInlinePolicy", owner + " Its inline policy allows only ec2:AuthorizeSecurityGroup*/RevokeSecurityGroup* on this VPC's default security group."));
        NagSuppressions.Add(
            handler,
            new NagRule("AwsSolutions-L1", owner + " Its runtime is chosen by aws-cdk-lib (pinned at 2.160.0 for the C# app), not by this construct."),
            new NagRule("NIST.800.53.R5-LambdaConcurrency", owner + " It runs a few times per deployment; a concurrency limit has nothing to bound."),
            new NagRule("NIST.800.53.R5-LambdaDLQ", owner + " It is invoked synchronously by CloudFormation, which reports a failure as a failed deployment; there is no asynchronous event to keep in a dead-letter queue."),
            new NagRule("NIST.800.53.R5-LambdaInsideVPC", owner + " It calls only the EC2 API, and placing it in the VPC it configures would need a NAT gateway or endpoint for no benefit."));
    }
}
