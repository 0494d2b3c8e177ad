using Bridge.Forwarding;
using Bridge.Host;
using Bridge.Host.Backfill;
using Bridge.Host.Configuration;
using Bridge.Host.Health;
using Bridge.Host.Operator;
using Bridge.Host.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

if (BackfillArguments.IsRequested(args))
{
    return await BackfillCommand.RunAsync(args).ConfigureAwait(false);
}

if (HealthCheckCommand.IsRequested(args))
{
    return await HealthCheckCommand.RunAsync(args).ConfigureAwait(false);
}

if (OperatorCommand.IsRequested(args))
{
    return await OperatorCommand.RunAsync(args).ConfigureAwait(false);
}

// appsettings.json (log filters and format) sits beside the binary; the default content root, the working directory,
// would miss it whenever the host is started from elsewhere (dotnet run --project from the repository root, a service).
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
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
    return await HostExit.RunAsync(host).ConfigureAwait(false);
}
catch (Exception ex) when (HostExit.IsConfigurationError(ex))
{
    // The binder wraps a bad value inside a list element (Bridge:Sources:0:Images) in a message that names no key; an
    // inner one names it, so the whole chain goes on the one line.
    var messages = new List<string>();
    for (Exception? e = ex; e is not null; e = e.InnerException)
    {
        messages.Add(e.Message);
    }

    await Console.Error.WriteLineAsync($"Invalid configuration: {string.Join(" ", messages)}").ConfigureAwait(false);
    return BridgeWorker.ConfigurationErrorExitCode;
}
