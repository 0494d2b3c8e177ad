using Bridge.Aws.Kinesis;

namespace Bridge.Testing;

/// <summary>Target streams for tests, benchmarks and the local run, on the emulators.</summary>
public static class KinesisTestStreams
{
    /// <summary>Creates a stream and returns once it is ACTIVE.</summary>
    public static async Task<KinesisStreamRef> CreateActiveStreamAsync(this IKinesisClient client, string name, int shards, CancellationToken cancellationToken = default)
    {
        await client.CreateStreamAsync(name, shards, cancellationToken).ConfigureAwait(false);
        var stream = KinesisStreamRef.FromName(name);
        await client.WaitUntilActiveAsync(stream, cancellationToken).ConfigureAwait(false);
        return stream;
    }

    /// <summary>Polls until the stream is ACTIVE (after a create or a reshard).</summary>
    public static async Task WaitUntilActiveAsync(this IKinesisClient client, KinesisStreamRef stream, CancellationToken cancellationToken = default)
    {
        // Bounded by count, not by a clock: the emulators are configured to switch state at once.
        for (var polls = 0; polls < 200; polls++)
        {
            if ((await client.DescribeStreamSummaryAsync(stream, cancellationToken).ConfigureAwait(false)).StreamStatus == "ACTIVE")
            {
                return;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"{stream} never became ACTIVE.");
    }
}
