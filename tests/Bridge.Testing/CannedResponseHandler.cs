using System.Net;
using System.Text;

namespace Bridge.Testing;

/// <summary>A terminal handler that answers every request with the same status and JSON body: the "service" for
/// clients that have no local emulator (CloudWatch) and for protocol tests that need no real one.</summary>
public sealed class CannedResponseHandler(HttpStatusCode status, string json) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(status)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/x-amz-json-1.0"),
            RequestMessage = request,
        });
}
