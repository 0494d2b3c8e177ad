using System.Net;

namespace Bridge.Aws.Protocol;

/// <summary>An error answered by an AWS service, mapped from the response's <c>__type</c>.</summary>
/// <remarks>Subclasses exist for the codes the bridge acts on; any other code is this type with <see cref="ErrorCode"/> set.</remarks>
public class AwsServiceException(string errorCode, string message, HttpStatusCode statusCode, string? requestId)
    : Exception($"{errorCode}: {message} (HTTP {(int)statusCode}, request {requestId ?? "?"})")
{
    /// <summary>The part of <c>__type</c> after the last <c>#</c>, e.g. <c>ExpiredIteratorException</c>.</summary>
    public string ErrorCode { get; } = errorCode;

    public string ServiceMessage { get; } = message;

    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary><c>x-amzn-RequestId</c> (or <c>x-amz-request-id</c>) of the failed call.</summary>
    public string? RequestId { get; } = requestId;
}

public sealed class ExpiredIteratorException(string message, HttpStatusCode status, string? requestId)
    : AwsServiceException(nameof(ExpiredIteratorException), message, status, requestId);

public sealed class TrimmedDataAccessException(string message, HttpStatusCode status, string? requestId)
    : AwsServiceException(nameof(TrimmedDataAccessException), message, status, requestId);

public sealed class LimitExceededException(string message, HttpStatusCode status, string? requestId)
    : AwsServiceException(nameof(LimitExceededException), message, status, requestId);

public sealed class ProvisionedThroughputExceededException(string message, HttpStatusCode status, string? requestId)
    : AwsServiceException(nameof(ProvisionedThroughputExceededException), message, status, requestId);

public sealed class ResourceNotFoundException(string message, HttpStatusCode status, string? requestId)
    : AwsServiceException(nameof(ResourceNotFoundException), message, status, requestId);

public sealed class ResourceInUseException(string message, HttpStatusCode status, string? requestId)
    : AwsServiceException(nameof(ResourceInUseException), message, status, requestId);

public sealed class InvalidArgumentException(string message, HttpStatusCode status, string? requestId)
    : AwsServiceException(nameof(InvalidArgumentException), message, status, requestId);

public sealed class ValidationException(string message, HttpStatusCode status, string? requestId)
    : AwsServiceException(nameof(ValidationException), message, status, requestId);

public sealed class ThrottlingException(string message, HttpStatusCode status, string? requestId)
    : AwsServiceException(nameof(ThrottlingException), message, status, requestId);

/// <summary>A 5xx answer (<c>InternalFailure</c>, <c>InternalServerError</c>, <c>ServiceUnavailable</c>, …).</summary>
public sealed class InternalFailureException(string errorCode, string message, HttpStatusCode status, string? requestId)
    : AwsServiceException(errorCode, message, status, requestId);

/// <summary>A request that breaks a documented limit of the API; thrown before anything is sent.</summary>
public sealed class AwsRequestValidationException(string message) : ArgumentException(message);
