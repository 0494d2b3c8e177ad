using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bridge.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Host.Health;

/// <summary>Serves <c>GET /health</c> (liveness) and <c>GET /ready</c> (readiness) on a small HttpListener: 200 or 503,
/// with a JSON body that says why.</summary>
/// <remarks>No Kestrel: the worker is not a web app, and two routes on loopback don't justify one. Requests are
/// answered one at a time; each answer is a snapshot of a few timestamps, so that is plenty.</remarks>
internal sealed partial class HealthEndpoint(BridgeHealth health, HealthOptions options, TimeProvider time, ILogger<HealthEndpoint> logger) : BackgroundService
{
    public const string HealthPath = "/health";
    public const string ReadyPath = "/ready";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Port == 0)
        {
            return;
        }

        var prefix = $"http://{options.Host}:{options.Port}/";
        using var listener = await SharedPort.ClaimAsync(() => Start(prefix), () => LogPortInUse(prefix), time, stoppingToken).ConfigureAwait(false);
        if (listener is null)
        {
            return;
        }

        LogListening(prefix);
        await using var stop = stoppingToken.Register(listener.Stop).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (stoppingToken.IsCancellationRequested && ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            await AnswerAsync(context).ConfigureAwait(false);
        }
    }

    private static HttpListener Start(string prefix)
    {
        var listener = new HttpListener();
        listener.Prefixes.Add(prefix);
        try
        {
            listener.Start();
            return listener;
        }
        catch (HttpListenerException ex)
        {
            listener.Close();
            if (SharedPort.IsInUse(ex))
            {
                throw;
            }

            throw new InvalidOperationException($"The health endpoint cannot listen on {prefix} (Bridge:Health:Host, Bridge:Health:Port): {ex.Message}", ex);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var path = context.Request.Url?.AbsolutePath.TrimEnd('/');
            var report = health.Evaluate();
            var ok = path switch
            {
                HealthPath => (bool?)report.Healthy,
                ReadyPath => report.Ready,
                _ => null,
            };
            response.StatusCode = ok switch { true => 200, false => 503, null => 404 };
            response.ContentType = "application/json";
            var body = ok is null ? "{}"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(report, HealthJsonContext.Default.HealthReport);
            await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException)
        {
            // The caller went away; nothing to answer.
        }
        finally
        {
            response.Close();
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Health endpoint listening on {Prefix} (/health, /ready)")]
    private partial void LogListening(string prefix);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Health endpoint not started: {Prefix} is in use by another process (another worker on this machine?); this worker goes on without /health and /ready and tries again every 5 s. Set Bridge:Health:Port per worker to check each")]
    private partial void LogPortInUse(string prefix);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
