using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Bridge.Aws.Protocol;

/// <summary>Sends one operation of an AWS JSON-protocol service: a signed POST with <c>X-Amz-Target</c>, retried by
/// the shared <see cref="RetryPolicy"/>, answered as the raw body bytes handed to a decoder.</summary>
/// <remarks>
/// The body is read into one exact-size array: decoders may keep slices of it (stream records do), so it is never
/// pooled. The request body is borrowed, not owned: the caller may return it to a pool once the call completes.
/// </remarks>
internal sealed class AwsJsonTransport(HttpClient http, AwsService service, AwsEndpoint endpoint, RequestSigner signer, RetryPolicy retry)
{
    private readonly MediaTypeHeaderValue _contentType = new(service.ContentType);

    public AwsEndpoint Endpoint => endpoint;

    public Task<T> SendAsync<T>(string operation, ReadOnlyMemory<byte> body, Func<byte[], T> decode, CancellationToken cancellationToken) =>
        retry.ExecuteAsync(operation, attemptToken => SendOnceAsync(operation, body, decode, attemptToken), cancellationToken);

    /// <summary>A call whose request and answer are source-generated DTOs.</summary>
    public Task<TResponse> SendAsync<TRequest, TResponse>(
        string operation, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        SendAsync(
            operation,
            JsonSerializer.SerializeToUtf8Bytes(request, requestType),
            answer => JsonSerializer.Deserialize(answer, responseType) ?? throw new JsonException($"{operation} answered null."),
            cancellationToken);

    /// <summary>A call whose answer carries nothing the caller needs.</summary>
    public Task SendAsync<TRequest>(string operation, TRequest request, JsonTypeInfo<TRequest> requestType, CancellationToken cancellationToken) =>
        SendAsync(operation, JsonSerializer.SerializeToUtf8Bytes(request, requestType), static _ => true, cancellationToken);

    private async Task<T> SendOnceAsync<T>(string operation, ReadOnlyMemory<byte> body, Func<byte[], T> decode, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url);
        request.Content = new ReadOnlyMemoryContent(body);
        request.Content.Headers.ContentType = _contentType;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"{service.TargetPrefix}.{operation}");
        await signer.SignAsync(request, body, cancellationToken).ConfigureAwait(false);

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw AwsErrorResponse.ToException(response, answer);
        }

        return decode(answer);
    }
}
