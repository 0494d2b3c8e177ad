using Bridge.Aws.Kinesis;
using Bridge.Sink;
using Bridge.Telemetry;
using Microsoft.Extensions.Logging;

namespace Bridge.Forwarding;

/// <summary>The configured target's sink and, when records may be dead-lettered, the dead-letter stream's: what stream consumers and backfills write to.</summary>
internal sealed class TargetSinks : IAsyncDisposable
{
    private TargetSinks(KinesisSink target, KinesisSink? deadLetter)
    {
        Target = target;
        DeadLetter = deadLetter;
    }

    public KinesisSink Target { get; }

    /// <summary>Null unless <see cref="BridgeOptions.UsesDeadLetter"/>.</summary>
    public KinesisSink? DeadLetter { get; }

    /// <summary>Completes when either sink failed for good.</summary>
    public Task AnyFailure => DeadLetter is null ? Target.Completion : Task.WhenAny(Target.Completion, DeadLetter.Completion);

    /// <summary>Creates and starts the sinks (each reads its stream's shard map).</summary>
    public static async Task<TargetSinks> StartAsync(BridgeOptions options, IKinesisClient kinesis, TimeProvider time, ILoggerFactory loggers, BridgeMetrics metrics, CancellationToken cancellationToken)
    {
        KinesisSink NewSink(string stream, KplAggregation? aggregation) =>
            new(kinesis, KinesisStreamRef.Parse(stream), options.Sink, time, loggers.CreateLogger<KinesisSink>(), metrics, aggregation);

        // Dead letters are never aggregated: they are rare, and whoever inspects them should not need a de-aggregator.
        var sinks = new TargetSinks(
            NewSink(options.Target.StreamName, options.Target.KplAggregation),
            options.UsesDeadLetter ? NewSink(options.DeadLetter.StreamName!, aggregation: null) : null);
        try
        {
            await sinks.Target.StartAsync(cancellationToken).ConfigureAwait(false);
            if (sinks.DeadLetter is not null)
            {
                await sinks.DeadLetter.StartAsync(cancellationToken).ConfigureAwait(false);
            }

            return sinks;
        }
        catch
        {
            await sinks.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Rethrows a sink's fatal error, if one failed.</summary>
    public async Task ThrowIfFailedAsync()
    {
        if (Target.Completion.IsFaulted)
        {
            await Target.Completion.ConfigureAwait(false);
        }

        if (DeadLetter?.Completion.IsFaulted == true)
        {
            await DeadLetter.Completion.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Target.DisposeAsync().ConfigureAwait(false);
        if (DeadLetter is not null)
        {
            await DeadLetter.DisposeAsync().ConfigureAwait(false);
        }
    }
}
