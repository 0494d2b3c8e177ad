namespace Bridge.Host.Operator.Plan;

/// <summary>us-east-1 list prices (USD), as the AWS pricing pages gave them on <see cref="AsOf"/>. No discounts, savings
/// plans or free tiers except where named. Check them before relying on a plan: they are printed with every cost.</summary>
internal static class AwsPrices
{
    public const string AsOf = "2026-12-03";

    public const string Source = "us-east-1 list prices from aws.amazon.com/{kinesis/data-streams,fargate,vpc,dynamodb,eventbridge,lambda}/pricing";

    public const double HoursPerMonth = 730;

    public const double SecondsPerMonth = HoursPerMonth * 3600;

    /// <summary>Kinesis Data Streams, provisioned: per shard-hour.</summary>
    public const double KinesisShardHour = 0.015;

    /// <summary>Kinesis Data Streams, provisioned: per million PUT payload units (a record counts one unit per 25 KB).</summary>
    public const double KinesisPutPayloadUnitsPerMillion = 0.014;

    public const double PutPayloadUnitBytes = 25 * 1024;

    /// <summary>Fargate, Linux/ARM: per vCPU-hour and per GB-hour.</summary>
    public const double FargateArmVcpuHour = 0.03238;

    public const double FargateArmGbHour = 0.00356;

    /// <summary>A public IPv4 address, per hour (one per task, no NAT gateway).</summary>
    public const double PublicIpv4Hour = 0.005;

    /// <summary>DynamoDB Streams: per 100,000 read request units (one GetRecords each), after the first 2.5 M a month.</summary>
    public const double StreamsReadRequestsPer100K = 0.02;

    public const double StreamsFreeReadRequests = 2_500_000;

    /// <summary>DynamoDB on-demand: per million write request units (the lease table).</summary>
    public const double DynamoDbWriteRequestsPerMillion = 0.625;

    /// <summary>Kinesis Data Streams for DynamoDB: per million change data capture units (one per KB of each item written).</summary>
    public const double ChangeDataCaptureUnitsPerMillion = 0.10;

    /// <summary>EventBridge Pipes: per million requests (each 64 KB of a batch counts one).</summary>
    public const double PipesRequestsPerMillion = 0.40;

    public const double PipesRequestBytes = 64 * 1024;

    /// <summary>Lambda: per million requests, and per GB-second on ARM.</summary>
    public const double LambdaRequestsPerMillion = 0.20;

    public const double LambdaArmGbSecond = 0.0000133334;

    /// <summary>The CDK stack's monitoring: 25 EMF metrics × $0.30, 6 alarm metrics × $0.10, one dashboard $3.00.</summary>
    public const double BridgeMonitoringMonth = (25 * 0.30) + (6 * 0.10) + 3.00;
}
