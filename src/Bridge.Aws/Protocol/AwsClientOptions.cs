namespace Bridge.Aws.Protocol;

/// <summary>How the wire clients reach AWS and how hard they retry.</summary>
public sealed class AwsClientOptions
{
    /// <summary>Region; when null, <c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>, then the profile's region.</summary>
    public string? Region { get; set; }

    /// <summary>Endpoint for every service; overridden per service by <see cref="ServiceUrls"/>. When null, <c>AWS_ENDPOINT_URL</c>.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Per-service endpoints, keyed <c>dynamodb</c>, <c>dynamodbstreams</c>, <c>kinesis</c>, <c>cloudwatch</c>. When absent,
    /// <c>AWS_ENDPOINT_URL_DYNAMODB</c>, <c>AWS_ENDPOINT_URL_DYNAMODB_STREAMS</c>, <c>AWS_ENDPOINT_URL_KINESIS</c>, <c>AWS_ENDPOINT_URL_CLOUDWATCH</c>.</summary>
    /// <remarks>Configuration wins over the environment. DynamoDB Streams without an endpoint of its own follows the
    /// <c>dynamodb</c> one, because DynamoDB Local serves both APIs on one port.</remarks>
    public Dictionary<string, Uri> ServiceUrls { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Attempts per call, the first included (throttling, 5xx, timeouts, connection failures only).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Time limit of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First backoff step; attempt n waits a random time in [0, min(MaxDelay, BaseDelay·2ⁿ)] (full jitter).</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest Kinesis record (data plus partition key) accepted before sending. 1 MiB by default; a stream
    /// configured for larger records (up to 10 MiB) raises its <c>MaxRecordSizeInKiB</c>, and this must follow it.</summary>
    public int MaxRecordBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest PutRecords request (sum of data and partition keys) accepted before sending; 5 MiB by default.</summary>
    public int MaxPutRecordsRequestBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Every rule broken by these options, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxAttempts < 1) { errors.Add($"MaxAttempts must be at least 1 (was {MaxAttempts})."); }
        if (AttemptTimeout <= TimeSpan.Zero) { errors.Add($"AttemptTimeout must be positive (was {AttemptTimeout})."); }
        if (BaseDelay < TimeSpan.Zero) { errors.Add($"BaseDelay must not be negative (was {BaseDelay})."); }
        if (MaxDelay < BaseDelay) { errors.Add($"MaxDelay ({MaxDelay}) must not be below BaseDelay ({BaseDelay})."); }
        if (MaxRecordBytes < 1) { errors.Add($"MaxRecordBytes must be positive (was {MaxRecordBytes})."); }
        if (MaxPutRecordsRequestBytes < MaxRecordBytes) { errors.Add($"MaxPutRecordsRequestBytes ({MaxPutRecordsRequestBytes}) must not be below MaxRecordBytes ({MaxRecordBytes})."); }
        return errors;
    }
}
