using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.Kinesis;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SNS;

namespace Bridge.Cdk;

/// <summary>Everything a user can choose about one bridge; every property but <see cref="Sources"/> has a default.</summary>
public sealed class DynamoDbKinesisBridgeProps
{
    /// <summary>The tables whose streams are forwarded, each with its partition-key attribute. At least one.</summary>
    public required IReadOnlyList<BridgeSource> Sources { get; init; }

    /// <summary>Shards of the new target stream. Changing it and redeploying reshards (UpdateShardCount).</summary>
    public int TargetShardCount { get; init; } = 4;

    /// <summary>Create the target stream in on-demand capacity mode; <see cref="TargetShardCount"/> is then ignored.</summary>
    public bool OnDemand { get; init; }

    /// <summary>Write to this stream instead of creating one. Import it with its KMS key if it uses a customer key.</summary>
    public IStream? ExistingStream { get; init; }

    /// <summary>Retention of a new target stream; 24 h (the minimum, and the cheapest) by default.</summary>
    public Duration? StreamRetention { get; init; }

    /// <summary>Where records the target refuses go when <see cref="OnUndeliverable"/> is <c>DeadLetter</c>.</summary>
    public IStream? DeadLetterStream { get; init; }

    /// <summary>Block (default: stop and retry, keeping order), Skip, or DeadLetter.</summary>
    public string OnUndeliverable { get; init; } = "Block";

    /// <summary>None (default: one stream record per Kinesis record) or Kpl: a key's consecutive records packed into
    /// KPL aggregated records, which consumers must de-aggregate (the KCL, Firehose and Flink do; Lambda with the
    /// kinesis-aggregation library).</summary>
    public string Aggregation { get; init; } = "None";

    /// <summary>StreamRecord (default: the stream record plus tableName, eventSourceARN, sourceShardId),
    /// KinesisDataStreamsForDynamoDB (the native integration's record shape) or Lambda (Lambda's DynamoDB event record).</summary>
    public string Format { get; init; } = "StreamRecord";

    /// <summary>TRIM_HORIZON (default: forward what the stream still holds), LATEST, or Snapshot (scan each table on its first
    /// start, then forward its stream from TRIM_HORIZON; grants <c>dynamodb:Scan</c> on the source tables).</summary>
    public string StartPosition { get; init; } = "TRIM_HORIZON";

    /// <summary>Lets the task role scan the source tables, for <c>Bridge.Host backfill</c> run as a one-off task with the
    /// workers' task definition. Off by default: without it (and without Snapshot) the role cannot read the tables' items.</summary>
    public bool AllowBackfill { get; init; }

    /// <summary>Fargate tasks. Shards are spread over the workers by leases, so more workers than source shards only idle.</summary>
    public int WorkerCount { get; init; } = 2;

    /// <summary>Task CPU units (256 = 0.25 vCPU); must be a Fargate CPU/memory pair with <see cref="MemoryMiB"/>.</summary>
    public int Cpu { get; init; } = 256;

    public int MemoryMiB { get; init; } = 512;

    /// <summary>ARM64 by default: Graviton Fargate costs about 20 % less for the same work.</summary>
    public CpuArchitecture? Architecture { get; init; }

    /// <summary>The worker image; by default built from src/Bridge.Host/Dockerfile (see <see cref="WorkerImage"/>).</summary>
    public ContainerImage? Image { get; init; }

    /// <summary>The VPC for the tasks; by default a new one with public subnets and no NAT gateway.</summary>
    public IVpc? Vpc { get; init; }

    /// <summary>
    /// Give tasks public IPs in public subnets (the default, and the only way out of the default VPC).
    /// Set false only in a VPC whose private subnets reach AWS through a NAT gateway or VPC endpoints.
    /// </summary>
    public bool AssignPublicIp { get; init; } = true;

    public RetentionDays LogRetention { get; init; } = RetentionDays.ONE_MONTH;

    /// <summary>The .NET host's default shutdown timeout, which the worker's drain was designed to fit.</summary>
    public static readonly Duration DefaultDrainTime = Duration.Seconds(30);

    /// <summary>How long the worker may take after SIGTERM to flush, checkpoint and release its leases; 30 s by default.</summary>
    public Duration? DrainTime { get; init; }

    /// <summary>
    /// How long a lease may go unrenewed before another worker takes it (<c>Bridge:Leases:Duration</c>): the failover
    /// time after a worker dies is about this plus a third of it. 10 s by default; at least 3 s.
    /// </summary>
    public Duration? LeaseDuration { get; init; }

    /// <summary>
    /// <c>Emf</c> (default): metrics are log lines, so the task needs no CloudWatch permission at all.
    /// <c>CloudWatch</c>: the worker calls PutMetricData, allowed only in <see cref="BridgeMetricNames.Namespace"/>.
    /// </summary>
    public string MetricsExporter { get; init; } = "Emf";

    /// <summary>Value of the <see cref="BridgeMetricNames.ServiceDimension"/> dimension; the stack name and construct id by default.</summary>
    public string? ServiceName { get; init; }

    /// <summary>How far behind the source the bridge may fall before the lag alarm fires; 5 minutes by default.</summary>
    public Duration? SourceLagThreshold { get; init; }

    /// <summary>Alarm and OK notifications go here; when unset the construct creates a topic (<see cref="BridgeAlarms.Topic"/>).</summary>
    public ITopic? AlarmTopic { get; init; }
}
