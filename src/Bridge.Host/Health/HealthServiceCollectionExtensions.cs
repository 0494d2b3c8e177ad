using Bridge.Forwarding;
using Bridge.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Host.Health;

internal static class HealthServiceCollectionExtensions
{
    /// <summary><c>/health</c> and <c>/ready</c> on <c>Bridge:Health:Port</c> (unless it is 0).</summary>
    public static IServiceCollection AddBridgeHealth(this IServiceCollection services)
    {
        services.AddSingleton(sp => new BridgeHealth(
            sp.GetRequiredService<BridgeMetrics>(),
            sp.GetRequiredService<IOptions<BridgeOptions>>().Value.Health,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IHostApplicationLifetime>()));
        services.AddHostedService(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BridgeOptions>>().Value.Health;
            return new HealthEndpoint(sp.GetRequiredService<BridgeHealth>(), options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HealthEndpoint>>());
        });
        return services;
    }
}
