using Amazon.Runtime;
using Bridge.Aws.Protocol;

namespace Bridge;

/// <summary>Which failures of AWS calls pass with time: throttling, a 5xx, the service or the network briefly gone.</summary>
/// <remarks>
/// One definition for the source reads, shard discovery, checkpoints and leases: each of them retries these and
/// lets everything else (a missing resource, access denied, a bug) stop the process, drained and checkpointed.
/// The Kinesis sink has its own, narrower rule because it must also tell throttling apart for its windows.
/// </remarks>
internal static class TransientFailure
{
    /// <summary>Our wire clients' retryable errors (already retried inside them) and the AWS SDK's service and client errors.</summary>
    public static bool Is(Exception ex) =>
        ex is ThrottlingException or LimitExceededException or InternalFailureException or HttpRequestException or TimeoutException
            or AmazonServiceException or AmazonClientException;

    /// <summary>As <see cref="Is(Exception)"/>, and a cancellation the caller did not ask for: the SDK reports its own timeouts that way.</summary>
    public static bool Is(Exception ex, CancellationToken cancellationToken) =>
        Is(ex) || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);
}
