using Bridge.Forwarding;
using Bridge.Host;
using Bridge.Host.Backfill;
using Bridge.Host.Configuration;
using Bridge.Host.Health;
using Bridge.Host.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

if (BackfillArguments.IsRequested(args))
{
    return await BackfillCommand.RunAsync(args).ConfigureAwait(false);
}

if (HealthCheckCommand.IsRequested(args))
{
    return await HealthCheckCommand.RunAsync(args).ConfigureAwait(false);
}

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddBridgeOptions();
builder.Services.AddAwsClients();
builder.Services.AddBridgeEngine();
builder.Services.AddBridgeTelemetry(builder.Configuration);
builder.Services.AddBridgeHealth();

// The host must wait for the engine's own drain budget, plus a little for the process to wind down.
var shutdown = builder.Configuration.GetValue($"{BridgeOptions.SectionName}:{nameof(BridgeOptions.ShutdownTimeout)}", new BridgeOptions().ShutdownTimeout);
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = shutdown + TimeSpan.FromSeconds(5));

try
{
    using var host = builder.Build();
    await host.RunAsync().ConfigureAwait(false);
    return Environment.ExitCode;
}
catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException { Source: "Microsoft.Extensions.Configuration.Binder" })
{
    await Console.Error.WriteLineAsync($"Invalid configuration: {ex.Message}").ConfigureAwait(false);
    return BridgeWorker.ConfigurationErrorExitCode;
}
