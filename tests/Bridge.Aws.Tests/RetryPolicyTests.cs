using System.Net;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Testing;

namespace Bridge.Aws.Tests;

/// <summary>Retry, backoff, timeout and cancellation of the real Kinesis client, driven by scripted faults and fake time.</summary>
/// <remarks>
/// The "service" behind the faults is a canned 200 so these tests need no emulator. Jitter is pinned at one half, so
/// with a 100 ms base the waits are exactly 50, 100, 200 ms…; timers equal to the attempt timeout are the per-attempt
/// deadlines, any other timer is a backoff wait.
/// </remarks>
public sealed class RetryPolicyTests : IDisposable
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Turns a missing retry into a failure instead of a hung run; it asserts nothing about speed.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private const string PutRecordAnswer = """{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898","ShardId":"shardId-000000000000"}""";

    private readonly RecordingTimeProvider _time = new();
    private readonly CannedAws _aws;
    private readonly KinesisClient _client;

    public RetryPolicyTests()
    {
        _aws = new CannedAws(
            HttpStatusCode.OK,
            PutRecordAnswer,
            options =>
            {
                options.MaxAttempts = 4;
                options.AttemptTimeout = AttemptTimeout;
                options.BaseDelay = TimeSpan.FromMilliseconds(100);
                options.MaxDelay = TimeSpan.FromMilliseconds(300);
            },
            _time,
            jitter: () => 0.5);
        _client = _aws.Factory.CreateKinesisClient();
    }

    private FaultInjectingHandler Wire => _aws.Wire;

    public void Dispose() => _aws.Dispose();

    public static TheoryData<string, Fault> RetryableFaults() => new()
    {
        { "ThrottlingException", Fault.Throttle() },
        { "ProvisionedThroughputExceededException", Fault.ProvisionedThroughputExceeded() },
        { "LimitExceededException", Fault.Error(HttpStatusCode.BadRequest, "LimitExceededException") },
        { "HTTP 429", Fault.TooManyRequests() },
        { "HTTP 500", Fault.ServerError() },
        { "HTTP 503", Fault.Error(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable") },
        { "connection reset", Fault.ConnectionReset() },
    };

    [Theory]
    [MemberData(nameof(RetryableFaults))]
    public async Task A_retryable_failure_is_retried_after_a_full_jitter_backoff(string why, Fault fault)
    {
        Wire.Enqueue(fault, fault);

        var call = PutAsync(CancellationToken.None);
        Assert.Equal(TimeSpan.FromMilliseconds(50), await AdvancePastNextBackoffAsync());
        Assert.Equal(TimeSpan.FromMilliseconds(100), await AdvancePastNextBackoffAsync());
        var result = await call;

        Assert.Equal("shardId-000000000000", result.ShardId);
        Assert.True(Wire.CountOf("PutRecord") == 3, why);
    }

    [Fact]
    public async Task Backoff_grows_exponentially_up_to_the_cap_and_the_budget_ends_with_the_last_error()
    {
        Wire.Enqueue(Fault.Throttle(), Fault.Throttle(), Fault.Throttle(), Fault.Throttle(), Fault.Throttle());

        var call = PutAsync(CancellationToken.None);
        var delays = new[] { await AdvancePastNextBackoffAsync(), await AdvancePastNextBackoffAsync(), await AdvancePastNextBackoffAsync() };

        await Assert.ThrowsAsync<ThrottlingException>(() => call);
        Assert.Equal([TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(150)], delays);
        Assert.Equal(4, Wire.CountOf("PutRecord"));
    }

    [Fact]
    public async Task Five_hundreds_that_outlast_the_budget_surface_as_InternalFailure()
    {
        Wire.Enqueue(Fault.ServerError(), Fault.ServerError(), Fault.ServerError(), Fault.ServerError());

        var call = PutAsync(CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            await AdvancePastNextBackoffAsync();
        }

        var error = await Assert.ThrowsAsync<InternalFailureException>(() => call);
        Assert.Equal("InternalFailure", error.ErrorCode);
        Assert.Equal("injected-request-id", error.RequestId);
        Assert.Equal(4, Wire.CountOf("PutRecord"));
    }

    [Theory]
    [InlineData("ResourceNotFoundException")]
    [InlineData("ValidationException")]
    [InlineData("InvalidArgumentException")]
    [InlineData("ExpiredIteratorException")]
    [InlineData("AccessDeniedException")]
    public async Task A_non_retryable_error_is_thrown_after_one_attempt(string code)
    {
        Wire.Enqueue(Fault.Error(HttpStatusCode.BadRequest, code));

        var error = await Assert.ThrowsAnyAsync<AwsServiceException>(() => PutAsync(CancellationToken.None));

        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(1, Wire.CountOf("PutRecord"));
    }

    [Fact]
    public async Task An_attempt_that_hangs_past_its_timeout_is_retried()
    {
        Wire.Enqueue(Fault.Hang());

        var call = PutAsync(CancellationToken.None);
        await NextAttemptDeadlineAsync();
        await Wire.WaitForRequestsAsync(1).WaitAsync(HangGuard);
        _time.Advance(AttemptTimeout);
        await AdvancePastNextBackoffAsync();
        var result = await call;

        Assert.NotNull(result.SequenceNumber);
        Assert.Equal(2, Wire.CountOf("PutRecord"));
    }

    [Fact]
    public async Task Attempts_that_all_time_out_end_in_TimeoutException()
    {
        Wire.Enqueue(Fault.Hang(), Fault.Hang(), Fault.Hang(), Fault.Hang());

        var call = PutAsync(CancellationToken.None);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await NextAttemptDeadlineAsync();
            await Wire.WaitForRequestsAsync(attempt).WaitAsync(HangGuard);
            _time.Advance(AttemptTimeout);
            if (attempt < 4)
            {
                await AdvancePastNextBackoffAsync();
            }
        }

        await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.Equal(4, Wire.CountOf("PutRecord"));
    }

    [Fact]
    public async Task Caller_cancellation_during_an_attempt_surfaces_and_is_not_retried()
    {
        Wire.Enqueue(Fault.Hang());
        using var caller = new CancellationTokenSource();

        var call = PutAsync(caller.Token);
        await Wire.WaitForRequestsAsync(1).WaitAsync(HangGuard);
        await caller.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(caller.Token, error.CancellationToken);
        Assert.Equal(1, Wire.CountOf("PutRecord"));
    }

    [Fact]
    public async Task Caller_cancellation_during_a_backoff_surfaces_without_another_attempt()
    {
        Wire.Enqueue(Fault.Throttle());
        using var caller = new CancellationTokenSource();

        var call = PutAsync(caller.Token);
        await _time.NextTimerAsync(d => d != AttemptTimeout).WaitAsync(HangGuard);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, Wire.CountOf("PutRecord"));
    }

    [Fact]
    public async Task An_already_cancelled_call_sends_nothing()
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PutAsync(new CancellationToken(canceled: true)));
        Assert.Empty(Wire.Requests);
    }

    [Fact]
    public async Task Each_retry_is_signed_again_with_the_time_of_that_attempt()
    {
        Wire.Enqueue(Fault.Throttle());

        var call = PutAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(5));
        await AdvancePastNextBackoffAsync();
        await call;

        var dates = Wire.Requests.Select(r => r.Headers["X-Amz-Date"]).ToList();
        Assert.Equal(2, dates.Count);
        Assert.NotEqual(dates[0], dates[1]);
    }

    private Task<PutRecordResult> PutAsync(CancellationToken cancellationToken) =>
        _client.PutRecordAsync(KinesisStreamRef.FromName("s"), new PutRecordsEntry("k", new byte[] { 1 }), cancellationToken);

    private Task<TimeSpan> NextAttemptDeadlineAsync() => _time.NextTimerAsync(d => d == AttemptTimeout).WaitAsync(HangGuard);

    private async Task<TimeSpan> AdvancePastNextBackoffAsync()
    {
        var delay = await _time.NextTimerAsync(d => d != AttemptTimeout).WaitAsync(HangGuard);
        _time.Advance(delay);
        return delay;
    }
}
