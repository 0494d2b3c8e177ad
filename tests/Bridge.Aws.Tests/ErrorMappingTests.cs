using System.Net;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Protocol;
using Bridge.Testing;

namespace Bridge.Aws.Tests;

/// <summary>Error answers, as each service and emulator spells them, become the typed exceptions with their request id.</summary>
public sealed class ErrorMappingTests
{
    public static TheoryData<string, Type> Codes() => new()
    {
        { "com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException", typeof(TrimmedDataAccessException) },
        { "com.amazonaws.dynamodb.v20120810#ExpiredIteratorException", typeof(ExpiredIteratorException) },
        { "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", typeof(ResourceNotFoundException) },
        { "com.amazonaws.dynamodb.v20120810#LimitExceededException", typeof(LimitExceededException) },
        { "ProvisionedThroughputExceededException", typeof(ProvisionedThroughputExceededException) },
        { "ResourceInUseException", typeof(ResourceInUseException) },
        { "InvalidArgumentException", typeof(InvalidArgumentException) },
        { "com.amazon.coral.validate#ValidationException", typeof(ValidationException) },
        { "ThrottlingException", typeof(ThrottlingException) },
        { "AccessDeniedException", typeof(AwsServiceException) },
    };

    [Theory]
    [MemberData(nameof(Codes))]
    public async Task The_code_after_the_hash_picks_the_exception(string type, Type expected)
    {
        var body = $$"""{"__type":"{{type}}","message":"it went wrong"}""";

        var error = await CallAsync(HttpStatusCode.BadRequest, body, maxAttempts: 1);

        Assert.IsType(expected, error);
        Assert.Equal(type[(type.LastIndexOf('#') + 1)..], error.ErrorCode);
        Assert.Equal("it went wrong", error.ServiceMessage);
        Assert.Equal("req-42", error.RequestId);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task A_capitalised_Message_is_read_too()
    {
        var error = await CallAsync(HttpStatusCode.BadRequest, """{"__type":"ResourceNotFoundException","Message":"Stream s not found"}""", 1);

        Assert.Equal("Stream s not found", Assert.IsType<ResourceNotFoundException>(error).ServiceMessage);
    }

    [Fact]
    public async Task The_error_type_header_names_the_error_when_the_body_does_not()
    {
        using var wire = new FaultInjectingHandler(new CannedResponseHandler(HttpStatusCode.OK, "{}"));
        wire.Enqueue(Fault.ErrorInHeader(HttpStatusCode.BadRequest, "ExpiredIteratorException"));
        using var factory = Factory(wire, maxAttempts: 1);

        var error = await Assert.ThrowsAsync<ExpiredIteratorException>(
            () => factory.CreateDynamoDbStreamsClient().GetRecordsAsync("it", 1, CancellationToken.None));

        Assert.Equal("header-request-id", error.RequestId);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "")]
    [InlineData(HttpStatusCode.BadGateway, "<html>bad gateway</html>")]
    [InlineData(HttpStatusCode.ServiceUnavailable, """{"__type":"ServiceUnavailableException","message":"busy"}""")]
    public async Task Any_5xx_is_InternalFailure_even_without_a_json_body(HttpStatusCode status, string body)
    {
        var error = await CallAsync(status, body, maxAttempts: 1);

        Assert.IsType<InternalFailureException>(error);
        Assert.Equal(status, error.StatusCode);
    }

    [Fact]
    public async Task A_retryable_error_that_persists_is_sent_max_attempts_times()
    {
        using var wire = new FaultInjectingHandler(new CannedResponseHandler(HttpStatusCode.BadRequest, """{"__type":"LimitExceededException","message":"slow down"}"""));
        using var factory = Factory(wire, maxAttempts: 3);

        await Assert.ThrowsAsync<LimitExceededException>(
            () => factory.CreateDynamoDbStreamsClient().DescribeStreamAsync(new DescribeStreamRequest("arn"), CancellationToken.None));

        Assert.Equal(3, wire.CountOf("DescribeStream"));
    }

    private static async Task<AwsServiceException> CallAsync(HttpStatusCode status, string body, int maxAttempts)
    {
        using var wire = new FaultInjectingHandler(new ErrorWithRequestId(status, body));
        using var factory = Factory(wire, maxAttempts);
        return await Assert.ThrowsAnyAsync<AwsServiceException>(
            () => factory.CreateDynamoDbStreamsClient().GetRecordsAsync("iterator", 10, CancellationToken.None));
    }

    private static AwsClientFactory Factory(HttpMessageHandler wire, int maxAttempts) => new(
        new AwsClientOptions { Region = "us-east-1", ServiceUrl = new Uri("http://127.0.0.1:9/"), MaxAttempts = maxAttempts, BaseDelay = TimeSpan.Zero },
        EmulatorProcess.Credentials,
        wire);

    private sealed class ErrorWithRequestId(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body) };
            response.Headers.TryAddWithoutValidation("x-amzn-RequestId", "req-42");
            return Task.FromResult(response);
        }
    }
}
