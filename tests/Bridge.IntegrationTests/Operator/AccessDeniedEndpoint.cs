using System.Net;
using System.Text;

namespace Bridge.IntegrationTests.Operator;

/// <summary>A local endpoint that refuses every request as AWS does for a caller without permission (400,
/// <c>AccessDeniedException</c>): DynamoDB Local has no IAM, so this is how "no access" is tested.</summary>
internal sealed class AccessDeniedEndpoint : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _serving;

    private AccessDeniedEndpoint(HttpListener listener, string url)
    {
        _listener = listener;
        Url = url;
        _serving = ServeAsync();
    }

    public string Url { get; }

    public static AccessDeniedEndpoint Start()
    {
        var url = $"http://127.0.0.1:{BridgeProcessPort()}/";
        var listener = new HttpListener();
        listener.Prefixes.Add(url);
        listener.Start();
        return new AccessDeniedEndpoint(listener, url);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.ConfigureAwait(false);
    }

    private static int BridgeProcessPort() => Bridge.Testing.BridgeProcess.FreePort();

    private async Task ServeAsync()
    {
        var body = Encoding.UTF8.GetBytes("{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"message\":\"User: arn:aws:iam::000000000000:user/test is not authorized to perform: dynamodb:DescribeTable\"}");
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/x-amz-json-1.0";
            await context.Response.OutputStream.WriteAsync(body).ConfigureAwait(false);
            context.Response.Close();
        }
    }
}
