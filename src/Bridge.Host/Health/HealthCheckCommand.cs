using Bridge.Forwarding;
using Bridge.Telemetry;
using Microsoft.Extensions.Configuration;

namespace Bridge.Host.Health;

/// <summary><c>Bridge.Host --health-check</c>: asks the running worker's <c>/health</c> and turns the answer into an exit
/// code (0 healthy, 1 not), without starting a host. ECS runs it as the container health check; the image has no curl.</summary>
internal static class HealthCheckCommand
{
    public const string Argument = "--health-check";

    public static bool IsRequested(string[] args) => args.Contains(Argument, StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        // The same sources as the host, so Bridge__Health__Port reaches both.
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a != Argument).ToArray())
            .Build();
        var port = configuration.GetValue($"{BridgeOptions.SectionName}:{nameof(BridgeOptions.Health)}:{nameof(HealthOptions.Port)}", new HealthOptions().Port);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{HealthEndpoint.HealthPath}")).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"{(int)response.StatusCode} {body}").ConfigureAwait(false);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Out.WriteLineAsync($"unhealthy: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
