using Amazon.CDK.AWS.Logs;
using Bridge.Cdk;
using Constructs;

namespace Bridge.Cdk.App;

/// <summary>The app's parameters, read from CDK context and validated before any construct is built.</summary>
internal sealed record BridgeSettings
{
    public const string DefaultStackName = "DynamoDbKinesisBridge";

    public required string StackName { get; init; }

    public required IReadOnlyList<BridgeSource> Sources { get; init; }

    public int TargetShardCount { get; init; }

    public bool OnDemand { get; init; }

    public string? ExistingStreamArn { get; init; }

    public string? ExistingStreamKeyArn { get; init; }

    public string? DeadLetterStreamArn { get; init; }

    public int WorkerCount { get; init; }

    public int Cpu { get; init; }

    public int MemoryMiB { get; init; }

    public required string Architecture { get; init; }

    public string? ImageUri { get; init; }

    public string? VpcId { get; init; }

    public bool AssignPublicIp { get; init; }

    public int RetentionHours { get; init; }

    public RetentionDays LogRetention { get; init; }

    public required string StartPosition { get; init; }

    public bool AllowBackfill { get; init; }

    public required string OnUndeliverable { get; init; }

    public required string Aggregation { get; init; }

    public required string Format { get; init; }

    public required string MetricsExporter { get; init; }

    public int DrainSeconds { get; init; }

    public int LeaseDurationSeconds { get; init; }

    public int SourceLagAlarmMinutes { get; init; }

    public string? AlarmEmail { get; init; }

    public static BridgeSettings FromContext(Node node)
    {
        var context = new BridgeContext(node);
        // The construct's own defaults, so that the app and the construct can never disagree.
        var defaults = new DynamoDbKinesisBridgeProps { Sources = [] };
        var settings = new BridgeSettings
        {
            StackName = context.Text("stackName") ?? DefaultStackName,
            Sources = SourceTableList.Parse(context.RequiredText("sourceTables", "chat-messages:roomId,orders:customerId"), SourceShapingContext.Parse(context.Json("sourceShaping"))),
            // Kinesis allows up to 10,000 shards per stream (subject to the account's shard quota).
            TargetShardCount = context.Int("targetShardCount", defaults.TargetShardCount, 1, 10_000),
            OnDemand = context.Bool("onDemand", defaults.OnDemand),
            ExistingStreamArn = context.Arn("existingStreamArn", "kinesis"),
            ExistingStreamKeyArn = context.Arn("existingStreamKeyArn", "kms"),
            DeadLetterStreamArn = context.Arn("deadLetterStreamArn", "kinesis"),
            WorkerCount = context.Int("workerCount", defaults.WorkerCount, 0, 100),
            Cpu = context.Int("cpu", defaults.Cpu, 256, 16_384),
            MemoryMiB = context.Int("memoryMiB", defaults.MemoryMiB, 512, 122_880),
            Architecture = context.Choice("architecture", "arm64", ["arm64", "x86_64"]),
            ImageUri = context.Text("imageUri"),
            VpcId = context.Text("vpcId"),
            AssignPublicIp = context.Bool("assignPublicIp", defaults.AssignPublicIp),
            // Kinesis retention: 24 hours to 365 days.
            RetentionHours = context.Int("retentionHours", 24, 24, 8_760),
            LogRetention = LogRetentionDays.Parse(context.Int("logRetentionDays", 30, 1, 3_653)),
            StartPosition = context.Choice("startPosition", defaults.StartPosition, DynamoDbKinesisBridge.StartPositionChoices),
            AllowBackfill = context.Bool("allowBackfill", defaults.AllowBackfill),
            OnUndeliverable = context.Choice("onUndeliverable", defaults.OnUndeliverable, DynamoDbKinesisBridge.OnUndeliverableChoices),
            Aggregation = context.Choice("aggregation", defaults.Aggregation, DynamoDbKinesisBridge.AggregationChoices),
            Format = context.Choice("format", defaults.Format, DynamoDbKinesisBridge.FormatChoices),
            MetricsExporter = context.Choice("metricsExporter", defaults.MetricsExporter, DynamoDbKinesisBridge.MetricsExporterChoices),
            DrainSeconds = context.Int("drainSeconds", (int)DynamoDbKinesisBridgeProps.DefaultDrainTime.ToSeconds(), 1, 105),
            LeaseDurationSeconds = context.Int("leaseDurationSeconds", 10, 3, 600),
            SourceLagAlarmMinutes = context.Int("sourceLagAlarmMinutes", 5, 1, 1_200),
            AlarmEmail = context.Text("alarmEmail"),
        };

        if (settings.OnDemand && settings.ExistingStreamArn is not null)
        {
            throw new InvalidContextException("onDemand=true creates a new stream; it cannot be combined with existingStreamArn.");
        }

        if (settings.OnUndeliverable == "DeadLetter" && settings.DeadLetterStreamArn is null)
        {
            throw new InvalidContextException("onUndeliverable=DeadLetter needs -c deadLetterStreamArn=arn:aws:kinesis:REGION:ACCOUNT:stream/NAME.");
        }

        if (settings.ExistingStreamKeyArn is not null && settings.ExistingStreamArn is null)
        {
            throw new InvalidContextException("existingStreamKeyArn is the KMS key of existingStreamArn; give both or neither.");
        }

        return settings;
    }
}
