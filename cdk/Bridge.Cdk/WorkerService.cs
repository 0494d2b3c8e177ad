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
    /// </summary>
    private Vpc CreateVpc() =>
        new(this, "Vpc", new VpcProps
        {
            MaxAzs = 2,
            NatGateways = 0,
            SubnetConfiguration =
            [
                new SubnetConfiguration { Name = "public", SubnetType = SubnetType.PUBLIC, CidrMask = 24 },
            ],
        });
}
