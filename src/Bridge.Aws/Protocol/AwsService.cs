namespace Bridge.Aws.Protocol;

/// <summary>What the transport needs to know to address, sign and frame calls to one AWS JSON service.</summary>
/// <param name="ConfigKey">Key in <see cref="AwsClientOptions.ServiceUrls"/>.</param>
/// <param name="EndpointEnvironmentVariable">The standard per-service override, e.g. <c>AWS_ENDPOINT_URL_KINESIS</c>.</param>
/// <param name="SigningName">SigV4 service name; differs from the endpoint prefix for DynamoDB Streams and CloudWatch.</param>
/// <param name="EndpointPrefix">Host prefix of the public endpoint (<c>{prefix}.{region}.amazonaws.com</c>).</param>
/// <param name="TargetPrefix">The part of <c>X-Amz-Target</c> before the operation name.</param>
/// <param name="ContentType"><c>application/x-amz-json-1.0</c> or <c>-1.1</c>.</param>
/// <param name="FallbackConfigKey">A service whose endpoint also serves this one (DynamoDB Local answers the Streams API on the DynamoDB port).</param>
internal sealed record AwsService(
    string ConfigKey,
    string EndpointEnvironmentVariable,
    string SigningName,
    string EndpointPrefix,
    string TargetPrefix,
    string ContentType,
    string? FallbackConfigKey = null)
{
    private const string Json10 = "application/x-amz-json-1.0";
    private const string Json11 = "application/x-amz-json-1.1";

    public static readonly AwsService DynamoDb = new(
        "dynamodb", "AWS_ENDPOINT_URL_DYNAMODB", "dynamodb", "dynamodb", "DynamoDB_20120810", Json10);

    public static readonly AwsService DynamoDbStreams = new(
        "dynamodbstreams", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "dynamodb", "streams.dynamodb", "DynamoDBStreams_20120810", Json10,
        FallbackConfigKey: "dynamodb");

    public static readonly AwsService Kinesis = new(
        "kinesis", "AWS_ENDPOINT_URL_KINESIS", "kinesis", "kinesis", "Kinesis_20131202", Json11);

    public static readonly AwsService CloudWatch = new(
        "cloudwatch", "AWS_ENDPOINT_URL_CLOUDWATCH", "monitoring", "monitoring", "GraniteServiceVersion20100801", Json10);

    private static readonly AwsService[] All = [DynamoDb, DynamoDbStreams, Kinesis, CloudWatch];

    public static AwsService? ByConfigKey(string key) =>
        Array.Find(All, s => string.Equals(s.ConfigKey, key, StringComparison.OrdinalIgnoreCase));
}
