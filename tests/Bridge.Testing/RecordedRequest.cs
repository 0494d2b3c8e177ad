namespace Bridge.Testing;

/// <summary>A request as the client sent it: operation, headers and body bytes.</summary>
public sealed record RecordedRequest(string? Operation, IReadOnlyDictionary<string, string> Headers, byte[] Body, Uri? Uri)
{
    internal static async Task<RecordedRequest> CaptureAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = string.Join(',', header.Value);
        }

        byte[] body = [];
        if (request.Content is { } content)
        {
            foreach (var header in content.Headers)
            {
                headers[header.Key] = string.Join(',', header.Value);
            }

            body = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }

        var target = headers.GetValueOrDefault("X-Amz-Target");
        return new RecordedRequest(target?[(target.IndexOf('.', StringComparison.Ordinal) + 1)..], headers, body, request.RequestUri);
    }
}
