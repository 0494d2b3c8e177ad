using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Bridge.Testing;

/// <summary>One scripted misbehaviour of the network or the service, applied to one request by <see cref="FaultInjectingHandler"/>.</summary>
/// <param name="Operation">The operation (the part of <c>X-Amz-Target</c> after the dot) it applies to; null for any.</param>
public sealed record Fault(string? Operation, Fault.Behaviour Act)
{
    /// <summary>Answers instead of, or around, the real handler (<c>forward</c>).</summary>
    public delegate Task<HttpResponseMessage> Behaviour(
        HttpRequestMessage request, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> forward, CancellationToken cancellationToken);

    /// <summary>An AWS JSON error answer with <c>__type</c> and a request id.</summary>
    public static Fault Error(HttpStatusCode status, string errorType, string? operation = null, string requestId = "injected-request-id") =>
        new(operation, (_, _, _) => Task.FromResult(ErrorResponse(status, errorType, requestId)));

    /// <summary>An error named only by the <c>x-amzn-ErrorType</c> header, as some front ends answer.</summary>
    public static Fault ErrorInHeader(HttpStatusCode status, string errorType, string? operation = null) =>
        new(operation, (_, _, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", $"{errorType}:http://internal.amazon.com/coral/");
            response.Headers.TryAddWithoutValidation("x-amzn-RequestId", "header-request-id");
            return Task.FromResult(response);
        });

    /// <summary>A successful answer with the given JSON body, e.g. a page the emulator would never produce.</summary>
    public static Fault Answer(string operation, string json) =>
        new(operation, (_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/x-amz-json-1.1"),
        }));

    public static Fault Throttle(string? operation = null) => Error(HttpStatusCode.BadRequest, "ThrottlingException", operation);

    public static Fault ProvisionedThroughputExceeded(string? operation = null) =>
        Error(HttpStatusCode.BadRequest, "ProvisionedThroughputExceededException", operation);

    public static Fault TooManyRequests(string? operation = null) =>
        new(operation, (_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("") }));

    public static Fault ServerError(string? operation = null) => Error(HttpStatusCode.InternalServerError, "InternalFailure", operation);

    /// <summary>Never answers: only the attempt's own cancellation (timeout or caller) ends it.</summary>
    public static Fault Hang(string? operation = null) =>
        new(operation, async (_, _, cancellationToken) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException("unreachable");
        });

    /// <summary>The connection drops before an answer, as <see cref="SocketsHttpHandler"/> reports it.</summary>
    public static Fault ConnectionReset(string? operation = null) =>
        new(operation, (_, _, _) => Task.FromException<HttpResponseMessage>(
            new HttpRequestException(HttpRequestError.ConnectionError, "Connection reset by peer (injected).", new IOException("reset"))));

    /// <summary>A PutRecords answer in which the entries at <paramref name="failedIndexes"/> failed with <paramref name="errorCode"/>.</summary>
    /// <remarks>Only the other entries reach the real service, so what the stream holds is exactly what was acknowledged.</remarks>
    public static Fault FailPutRecordsEntries(IReadOnlyCollection<int> failedIndexes, string errorCode = "ProvisionedThroughputExceededException") =>
        new("PutRecords", async (request, forward, cancellationToken) =>
        {
            var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))!.AsObject();
            var records = body["Records"]!.AsArray();
            var count = records.Count;
            var kept = new JsonArray();
            for (var i = 0; i < count; i++)
            {
                if (!failedIndexes.Contains(i))
                {
                    kept.Add(records[i]!.DeepClone());
                }
            }

            var answered = new JsonArray();
            if (kept.Count > 0)
            {
                body["Records"] = kept;
                using var trimmed = CopyWithBody(request, body.ToJsonString());
                using var real = await forward(trimmed, cancellationToken).ConfigureAwait(false);
                var realBody = JsonNode.Parse(await real.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))!;
                if (!real.IsSuccessStatusCode)
                {
                    return new HttpResponseMessage(real.StatusCode) { Content = new StringContent(realBody.ToJsonString()) };
                }

                answered = realBody["Records"]!.AsArray();
            }

            var merged = new JsonArray();
            var next = 0;
            for (var i = 0; i < count; i++)
            {
                merged.Add(failedIndexes.Contains(i)
                    ? new JsonObject { ["ErrorCode"] = errorCode, ["ErrorMessage"] = "Injected entry failure." }
                    : answered[next++]!.DeepClone());
            }

            var answer = new JsonObject { ["FailedRecordCount"] = failedIndexes.Count(i => i < count), ["Records"] = merged };
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/x-amz-json-1.1"),
            };
        });

    private static HttpResponseMessage ErrorResponse(HttpStatusCode status, string errorType, string requestId)
    {
        var body = new JsonObject { ["__type"] = $"com.amazonaws.injected#{errorType}", ["message"] = $"Injected {errorType}." };
        var response = new HttpResponseMessage(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/x-amz-json-1.1") };
        response.Headers.TryAddWithoutValidation("x-amzn-RequestId", requestId);
        return response;
    }

    private static HttpRequestMessage CopyWithBody(HttpRequestMessage request, string body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = new StringContent(body) };
        copy.Content.Headers.ContentType = request.Content!.Headers.ContentType;
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return copy;
    }
}
