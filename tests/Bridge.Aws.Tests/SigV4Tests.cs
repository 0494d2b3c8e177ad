using System.Net;
using Amazon.Runtime;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Testing;

namespace Bridge.Aws.Tests;

/// <summary>SigV4 against the published aws-sig-v4-test-suite answers, and the signatures our clients really send.</summary>
public sealed class SigV4Tests
{
    private const string SuiteDate = "20150830T123600Z";
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private static readonly string EmptyHash = SigV4Reference.PayloadHash([]);

    [Theory]
    [InlineData("get-vanilla", "GET", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("get-vanilla-query-order-key-case", "GET", "Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    [InlineData("post-vanilla", "POST", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    public void The_reference_reproduces_the_test_suite(string name, string method, string query, string expected)
    {
        var (signedHeaders, signature) = SigV4Reference.Sign(
            method, "/", query, SuiteHeaders(), EmptyHash, SuiteDate, "us-east-1", "service");

        Assert.Equal("host;x-amz-date", signedHeaders);
        Assert.True(expected == signature, $"{name}: expected {expected}, got {signature}");
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task The_SDK_signer_as_we_call_it_agrees_with_the_reference_on_the_suite_requests(string method)
    {
        var time = new RecordingTimeProvider(SuiteTime);
        var signer = new RequestSigner(new BasicAWSCredentials(SigV4Reference.AccessKey, SigV4Reference.SecretKey), "us-east-1", "service", time);
        using var request = new HttpRequestMessage(new HttpMethod(method), "https://example.amazonaws.com/");

        await signer.SignAsync(request, ReadOnlyMemory<byte>.Empty, CancellationToken.None);

        // The SDK always signs x-amz-content-sha256 too, so the suite's request plus that header is what is compared.
        var headers = SuiteHeaders().Append(new("x-amz-content-sha256", EmptyHash));
        var (signedHeaders, signature) = SigV4Reference.Sign(method, "/", "", headers, EmptyHash, SuiteDate, "us-east-1", "service");
        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders={signedHeaders}, Signature={signature}",
            request.Headers.GetValues("Authorization").Single());
        Assert.Equal(SuiteDate, request.Headers.GetValues("X-Amz-Date").Single());
    }

    [Theory]
    [InlineData("kinesis", "kinesis", "Kinesis_20131202.PutRecord", "application/x-amz-json-1.1")]
    [InlineData("dynamodbstreams", "dynamodb", "DynamoDBStreams_20120810.GetRecords", "application/x-amz-json-1.0")]
    [InlineData("cloudwatch", "monitoring", "GraniteServiceVersion20100801.PutMetricData", "application/x-amz-json-1.0")]
    public async Task Every_client_sends_a_request_whose_signature_verifies(string service, string signingName, string target, string contentType)
    {
        var time = new RecordingTimeProvider(SuiteTime);
        using var wire = new FaultInjectingHandler(new CannedResponseHandler(HttpStatusCode.OK, """{"SequenceNumber":"1","ShardId":"s","Records":[]}"""));
        var options = new AwsClientOptions { Region = "eu-west-1", ServiceUrls = { [service] = new Uri("http://127.0.0.1:4567/") } };
        using var factory = new AwsClientFactory(options, new BasicAWSCredentials(SigV4Reference.AccessKey, SigV4Reference.SecretKey), wire, time);

        await (service switch
        {
            "kinesis" => factory.CreateKinesisClient().PutRecordAsync(KinesisStreamRef.FromName("s"), new PutRecordsEntry("k", new byte[] { 1, 2 }), CancellationToken.None),
            "dynamodbstreams" => factory.CreateDynamoDbStreamsClient().GetRecordsAsync("iterator", 10, CancellationToken.None),
            _ => factory.CreateCloudWatchClient().PutMetricDataAsync("ns", [new CloudWatch.MetricDatum("m", "Count", SuiteTime, 1)], CancellationToken.None),
        });

        var sent = Assert.Single(wire.Requests);
        Assert.Equal(target, sent.Headers["X-Amz-Target"]);
        Assert.Equal(contentType, sent.Headers["Content-Type"]);
        var signedNames = new[] { "content-type", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-target" };
        var signedValues = signedNames.Select(n => new KeyValuePair<string, string>(n, n == "host" ? "127.0.0.1:4567" : sent.Headers[n]));
        var (signedHeaders, signature) = SigV4Reference.Sign(
            "POST", "/", "", signedValues, SigV4Reference.PayloadHash(sent.Body), SuiteDate, "eu-west-1", signingName);
        Assert.Equal(SigV4Reference.PayloadHash(sent.Body), sent.Headers["X-Amz-Content-SHA256"]);
        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/{signingName}/aws4_request, SignedHeaders={signedHeaders}, Signature={signature}",
            sent.Headers["Authorization"]);
    }

    [Fact]
    public async Task Credentials_are_asked_for_on_every_request_so_rotated_keys_are_used()
    {
        using var wire = new FaultInjectingHandler(new CannedResponseHandler(HttpStatusCode.OK, """{"SequenceNumber":"1","ShardId":"s"}"""));
        var rotating = new RotatingCredentials();
        var options = new AwsClientOptions { Region = "us-east-1", ServiceUrl = new Uri("http://127.0.0.1:4567/") };
        using var factory = new AwsClientFactory(options, rotating, wire);
        var client = factory.CreateKinesisClient();

        await client.PutRecordAsync(KinesisStreamRef.FromName("s"), new PutRecordsEntry("k", new byte[] { 1 }), CancellationToken.None);
        await client.PutRecordAsync(KinesisStreamRef.FromName("s"), new PutRecordsEntry("k", new byte[] { 1 }), CancellationToken.None);

        Assert.Contains("Credential=KEY1/", wire.Requests[0].Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains("Credential=KEY2/", wire.Requests[1].Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal("token-1", wire.Requests[0].Headers["X-Amz-Security-Token"]);
        Assert.Equal("token-2", wire.Requests[1].Headers["X-Amz-Security-Token"]);
    }

    private static KeyValuePair<string, string>[] SuiteHeaders() =>
        [new("Host", "example.amazonaws.com"), new("X-Amz-Date", SuiteDate)];

    /// <summary>Hands out new session keys on every call, like a role whose keys expire between requests.</summary>
    private sealed class RotatingCredentials : AWSCredentials
    {
        private int _issued;

        public override ImmutableCredentials GetCredentials()
        {
            var n = Interlocked.Increment(ref _issued);
            return new ImmutableCredentials($"KEY{n}", $"secret-{n}", $"token-{n}");
        }

        public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult(GetCredentials());
    }
}
