using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Bridge.Testing;

/// <summary>A loopback HTTP proxy in front of an emulator, recording every AWS JSON request (operation and body) that another
/// process sends through it: how a test counts the real host's calls over the wire.</summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Transfer-Encoding", "Content-Length", "Expect", "Keep-Alive" };

    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new();
    private readonly Uri _target;
    private readonly ConcurrentQueue<(string Operation, string Body)> _requests = new();
    private readonly Task _serving;

    public RecordingProxy(Uri target)
    {
        _target = target;
        var port = BridgeProcess.FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public Uri Endpoint { get; }

    /// <summary>The bodies of the requests of one operation (e.g. <c>Scan</c>), in arrival order.</summary>
    public IReadOnlyList<string> Bodies(string operation) => [.. _requests.Where(r => r.Operation == operation).Select(r => r.Body)];

    public void Clear() => _requests.Clear();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _upstream.Dispose();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body).ConfigureAwait(false);
            var bytes = body.ToArray();
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), new Uri(_target, context.Request.RawUrl))
            {
                Content = new ByteArrayContent(bytes),
            };
            foreach (var name in context.Request.Headers.AllKeys.OfType<string>().Where(n => !HopHeaders.Contains(n)))
            {
                var value = context.Request.Headers[name]!;
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            var target = context.Request.Headers["X-Amz-Target"];
            if (target is not null)
            {
                _requests.Enqueue((target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..], Encoding.UTF8.GetString(bytes)));
            }

            using var response = await _upstream.SendAsync(request).ConfigureAwait(false);
            var answer = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers).Where(h => !HopHeaders.Contains(h.Key)))
            {
                context.Response.Headers[header.Key] = string.Join(',', header.Value);
            }

            context.Response.ContentLength64 = answer.Length;
            await context.Response.OutputStream.WriteAsync(answer).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or HttpRequestException or IOException or ObjectDisposedException)
        {
            // The client went away (killed) or the proxy is closing.
            context.Response.Abort();
        }
    }
}
