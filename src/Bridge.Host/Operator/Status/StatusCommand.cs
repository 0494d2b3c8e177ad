using System.CommandLine;
using System.Text.Json;
using Bridge.Coordination;
using Bridge.Forwarding;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Bridge.Host.Operator.Status;

/// <summary><c>Bridge.Host status</c>: where each source shard is, who holds what, and the target's shards; once, as
/// JSON, or as a live view.</summary>
internal static class StatusCommand
{
    private static readonly Option<string?> LeaseTable = new("--lease-table") { Description = "The bridge's lease/checkpoint table (default: Bridge:Checkpoints:TableName from appsettings.json or the environment)." };
    private static readonly Option<string?> Target = new("--target") { Description = "The target Kinesis stream, name or ARN (default: Bridge:Target:StreamName)." };
    private static readonly Option<bool> Watch = new("--watch") { Description = "Keep the view on screen, refreshed every --interval, until Ctrl+C." };
    private static readonly Option<double> Interval = new("--interval") { Description = "Seconds between refreshes with --watch.", DefaultValueFactory = _ => 3 };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the status as JSON." };

    public static Command Create()
    {
        var command = new Command("status", "Show the bridge's source shards (owner, checkpoint, age, lineage, state), workers and target shards. Read-only.")
        {
            LeaseTable, Target, Watch, Interval, Json,
        };
        command.SetAction((parse, cancellationToken) => OperatorCommand.GuardAsync("status", () => RunAsync(parse, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        await using var aws = OperatorAws.Create();
        var leaseTable = parse.GetValue(LeaseTable)
            ?? aws.Configuration[$"{BridgeOptions.SectionName}:{nameof(BridgeOptions.Checkpoints)}:{nameof(CheckpointOptions.TableName)}"]
            ?? throw OperatorFailure.Input("give --lease-table (or set Bridge:Checkpoints:TableName, as for the worker).");
        var target = parse.GetValue(Target)
            ?? aws.Configuration[$"{BridgeOptions.SectionName}:{nameof(BridgeOptions.Target)}:{nameof(TargetOptions.StreamName)}"];
        var interval = TimeSpan.FromSeconds(parse.GetValue(Interval));
        if (interval < TimeSpan.FromSeconds(1))
        {
            throw OperatorFailure.Input("--interval must be at least 1 second.");
        }

        var leaseDuration = aws.Configuration.GetValue($"{BridgeOptions.SectionName}:{nameof(BridgeOptions.Leases)}:{nameof(LeaseOptions.Duration)}", new LeaseOptions().Duration);
        var reader = new StatusReader(aws.DynamoDb, aws.Streams, aws.Kinesis, TimeProvider.System);
        var renewals = new LeaseRenewals(TimeProvider.System);
        var snapshot = renewals.Observe(await reader.ReadAsync(leaseTable, target, leaseDuration, cancellationToken).ConfigureAwait(false));
        if (parse.GetValue(Json))
        {
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(snapshot, OperatorJsonContext.Readable.StatusSnapshot)).ConfigureAwait(false);
            return 0;
        }

        var console = CreateConsole();
        if (!parse.GetValue(Watch))
        {
            console.Write(StatusView.Render(snapshot));
            return 0;
        }

        try
        {
            await WatchAsync(console, reader, renewals, snapshot, leaseTable, target, leaseDuration, interval, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C is how a watch ends.
        }

        return 0;
    }

    private static async Task WatchAsync(
        IAnsiConsole console, StatusReader reader, LeaseRenewals renewals, StatusSnapshot snapshot, string leaseTable, string? target,
        TimeSpan leaseDuration, TimeSpan interval, CancellationToken cancellationToken)
    {
        await console.Live(StatusView.Render(snapshot)).StartAsync(async live =>
        {
            while (true)
            {
                await Task.Delay(interval, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                try
                {
                    snapshot = renewals.Observe(await reader.ReadAsync(leaseTable, target, leaseDuration, cancellationToken).ConfigureAwait(false));
                    live.UpdateTarget(StatusView.Render(snapshot));
                }
                catch (Exception e) when (OperatorFailure.From(e) is { } failure)
                {
                    // One failed refresh (a throttled call, a blip) keeps the last view on screen and says why.
                    live.UpdateTarget(StatusView.Render(snapshot, "refresh failed: " + failure.Message));
                }

                live.Refresh();
            }
        }).ConfigureAwait(false);
    }

    /// <summary>Spectre's console on stdout; when stdout is not a terminal, wide enough that rows do not wrap.</summary>
    private static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 240;
        }

        return console;
    }
}
