using System.Net;
using System.Text.Json;

namespace Bridge.Aws.Protocol;

/// <summary>Turns a non-2xx JSON-protocol answer into the typed <see cref="AwsServiceException"/> for its error code.</summary>
/// <remarks>
/// The code comes from the body's <c>__type</c> (the part after the last <c>#</c>, since services prefix it with a
/// namespace) or, when the body has none, from the <c>x-amzn-ErrorType</c> header (the part before the first <c>:</c>).
/// Services, kinesalite and kinesis-mock spell the message <c>message</c> or <c>Message</c>; both are read.
/// </remarks>
internal static class AwsErrorResponse
{
    public static AwsServiceException ToException(HttpResponseMessage response, byte[] body)
    {
        var status = response.StatusCode;
        var requestId = FirstHeader(response, "x-amzn-RequestId") ?? FirstHeader(response, "x-amz-request-id");
        var (type, message) = ReadBody(body);
        var code = CodeFromType(type) ?? CodeFromHeader(FirstHeader(response, "x-amzn-ErrorType"))
            ?? (status == HttpStatusCode.TooManyRequests ? nameof(ThrottlingException) : $"Http{(int)status}");
        message ??= response.ReasonPhrase ?? string.Empty;
        return Create(code, message, status, requestId);
    }

    public static AwsServiceException Create(string code, string message, HttpStatusCode status, string? requestId) => code switch
    {
        nameof(ExpiredIteratorException) => new ExpiredIteratorException(message, status, requestId),
        nameof(TrimmedDataAccessException) => new TrimmedDataAccessException(message, status, requestId),
        nameof(LimitExceededException) => new LimitExceededException(message, status, requestId),
        nameof(ProvisionedThroughputExceededException) => new ProvisionedThroughputExceededException(message, status, requestId),
        nameof(ResourceNotFoundException) => new ResourceNotFoundException(message, status, requestId),
        nameof(ResourceInUseException) => new ResourceInUseException(message, status, requestId),
        nameof(InvalidArgumentException) => new InvalidArgumentException(message, status, requestId),
        nameof(ValidationException) => new ValidationException(message, status, requestId),
        nameof(ThrottlingException) or "Throttling" or "ThrottledException" or "RequestLimitExceeded"
            => new ThrottlingException(message, status, requestId),
        _ when (int)status >= 500 => new InternalFailureException(code, message, status, requestId),
        _ => new AwsServiceException(code, message, status, requestId),
    };

    private static (string? Type, string? Message) ReadBody(byte[] body)
    {
        if (body.Length == 0)
        {
            return (null, null);
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null);
            }

            string? type = null, message = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("__type"u8) || reader.ValueTextEquals("code"u8);
                var isMessage = reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("Message"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && (isType || isMessage))
                {
                    if (isType) { type = reader.GetString(); } else { message = reader.GetString(); }
                }
                else
                {
                    reader.Skip();
                }
            }

            return (type, message);
        }
        catch (JsonException)
        {
            // A proxy or load balancer may answer HTML or plain text; the status and headers still classify it.
            return (null, null);
        }
    }

    private static string? CodeFromType(string? type)
    {
        if (string.IsNullOrEmpty(type))
        {
            return null;
        }

        var code = type[(type.LastIndexOf('#') + 1)..];
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? code[..colon] : code;
    }

    private static string? CodeFromHeader(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        var colon = header.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? header[..colon] : header;
    }

    private static string? FirstHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
