using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SNS;
using Constructs;

namespace Bridge.Cdk;

/// <summary>The four conditions an operator must hear about: falling behind, about to lose data, failing, not running.</summary>
public sealed class BridgeAlarms : Construct
{
    /// <summary>
    /// DynamoDB Streams keeps a change for 24 hours. Past this lag the oldest unread changes are
    /// less than 4 hours from being trimmed, after which they are lost for good.
    /// </summary>
    internal static readonly Duration NearRetentionLag = Duration.Hours(20);

    internal const double ErrorRateThresholdPercent = 1;

    internal BridgeAlarms(
        Construct scope,
        string id,
        WorkerMetrics metrics,
        FargateService service,
        Duration sourceLagThreshold,
        ITopic? topic)
        : base(scope, id)
    {
        var minute = Duration.Minutes(1);

        SourceLag = new Alarm(this, "SourceLag", new AlarmProps
        {
            AlarmDescription = $"The bridge has been more than {sourceLagThreshold.ToHumanString()} behind a source stream for 5 minutes.",
            Metric = metrics.SourceLagMaximum(minute),
            Threshold = sourceLagThreshold.ToMilliseconds(),
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            EvaluationPeriods = 5,
            // Silence is "no workers", which has its own alarm; don't raise two for one cause.
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });

        LagNearRetention = new Alarm(this, "LagNearRetention", new AlarmProps
        {
            AlarmDescription = "Source lag is within 4 hours of the 24-hour DynamoDB Streams retention: unread changes will soon be trimmed and lost.",
            Metric = metrics.SourceLagMaximum(Duration.Minutes(5)),
            Threshold = NearRetentionLag.ToMilliseconds(),
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            EvaluationPeriods = 1,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });

        ErrorRate = new Alarm(this, "ErrorRate", new AlarmProps
        {
            AlarmDescription = $"More than {ErrorRateThresholdPercent} % of records were undeliverable or failed in PutRecords, 3 periods of 5 minutes in a row.",
            Metric = metrics.ErrorRatePercent(Duration.Minutes(5)),
            Threshold = ErrorRateThresholdPercent,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            EvaluationPeriods = 3,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });

        // AWS/ECS publishes a service's CPU only while at least one of its tasks runs, and for
        // free (Container Insights' RunningTaskCount would be billed): no data means no workers.
        NoRunningWorkers = new Alarm(this, "NoRunningWorkers", new AlarmProps
        {
            AlarmDescription = "No bridge worker has been running for 5 minutes: nothing is being forwarded.",
            Metric = service.MetricCpuUtilization(new MetricOptions { Statistic = Stats.SAMPLE_COUNT, Period = minute }),
            Threshold = 1,
            ComparisonOperator = ComparisonOperator.LESS_THAN_THRESHOLD,
            EvaluationPeriods = 5,
            TreatMissingData = TreatMissingData.BREACHING,
        });

        // Always a topic: an alarm that notifies nobody is found only by someone already looking at the console.
        Topic = topic ?? CreateTopic();
        var action = new SnsAction(Topic);
        foreach (var alarm in All)
        {
            alarm.AddAlarmAction(action);
            alarm.AddOkAction(action);
        }
    }

    /// <summary>A topic CloudWatch may publish to (over TLS only) from this account's alarms.</summary>
    private Topic CreateTopic()
    {
        var created = new Topic(this, "Topic", new TopicProps
        {
            DisplayName = "DynamoDB to Kinesis bridge alarms",
            EnforceSSL = true,
        });

        // A topic policy replaces SNS's default one, so CloudWatch's right to publish must be stated.
        var stack = Stack.Of(this);
        created.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Principals = [new ServicePrincipal("cloudwatch.amazonaws.com")],
            Actions = ["sns:Publish"],
            Resources = [created.TopicArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
            },
        }));
        NagSuppressions.Add(created, new NagRule(
            "NIST.800.53.R5-SNSEncryptedKMS",
            "Alarm notifications carry alarm names, states and thresholds, no data of the tables. CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed key (with a key policy for CloudWatch) costs $1 a month for no protected content. Publishing requires TLS (topic policy)."));
        return created;
    }

    /// <summary>Where every alarm and OK notification goes: the given topic, or one created here (subscribe to it).</summary>
    public ITopic Topic { get; }

    public Alarm SourceLag { get; }

    public Alarm LagNearRetention { get; }

    public Alarm ErrorRate { get; }

    public Alarm NoRunningWorkers { get; }

    public IReadOnlyList<Alarm> All => [SourceLag, LagNearRetention, ErrorRate, NoRunningWorkers];
}
