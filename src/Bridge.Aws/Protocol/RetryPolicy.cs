using System.Net;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;

namespace Bridge.Aws.Protocol;

/// <summary>The one retry loop of the wire clients: bounded attempts, a time limit per attempt, full-jitter backoff.</summary>
/// <remarks>
/// Retried: throttling (<see cref="ThrottlingException"/>, <see cref="ProvisionedThroughputExceededException"/>,
/// <see cref="LimitExceededException"/>, HTTP 429), 5xx, an attempt that ran out of time and a failed connection
/// (<see cref="HttpRequestException"/>). Everything else surfaces at once. The caller's cancellation is never retried:
/// it surfaces as <see cref="OperationCanceledException"/> whichever attempt or backoff it interrupts.
/// When the budget is spent the last failure surfaces (a timed-out attempt as <see cref="TimeoutException"/>).
/// </remarks>
internal sealed partial class RetryPolicy(int maxAttempts, TimeSpan attemptTimeout, Backoff backoff, TimeProvider time, ILogger logger)
{
    public async Task<T> ExecuteAsync<T>(string operation, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        for (var attemptNumber = 1; ; attemptNumber++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var deadline = new CancellationTokenSource(attemptTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            Exception failure;
            try
            {
                return await attempt(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested && e.CancellationToken != cancellationToken)
            {
                // Re-thrown with the caller's token so callers can tell their own cancellation from any other.
                throw new OperationCanceledException(e.Message, e, cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
            {
                failure = new TimeoutException($"{operation}: attempt {attemptNumber} did not finish within {attemptTimeout}.");
            }
            catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = e;
            }
            catch (AwsServiceException e) when (IsRetryable(e))
            {
                failure = e;
            }

            if (attemptNumber >= maxAttempts)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            var delay = backoff.DelayBefore(attemptNumber);
            LogRetry(logger, operation, attemptNumber, delay, failure.Message);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public static bool IsRetryable(AwsServiceException e) =>
        e is ThrottlingException or ProvisionedThroughputExceededException or LimitExceededException or InternalFailureException
        || e.StatusCode == HttpStatusCode.TooManyRequests
        || (int)e.StatusCode >= 500;

    [LoggerMessage(EventId = 1, EventName = "AwsCallRetry", Level = LogLevel.Debug,
        Message = "{Operation} attempt {Attempt} failed ({Reason}); retrying in {Delay}")]
    private static partial void LogRetry(ILogger logger, string operation, int attempt, TimeSpan delay, string reason);
}
