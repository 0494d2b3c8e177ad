using System.Net;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Protocol;
using Bridge.Forwarding;
using Bridge.Routing;
using Bridge.Testing;
using Bridge.Tests.Fakes;

namespace Bridge.Tests.Forwarding;

public class FatalErrorTests
{
    private const string BrokenArn = "arn:aws:dynamodb:us-east-1:000000000000:table/broken/stream/2026-01-01T00:00:00.000";

    [Fact]
    public async Task A_non_retryable_error_in_one_source_stops_the_healthy_ones_too_and_escapes()
    {
        using var harness = new EngineHarness();
        harness.Stream.AddShard("A");
        harness.Stream.Append("A", "room-1");
        var engine = new BridgeEngine(
            harness.Options,
            [
                new ResolvedSource(harness.Stream.TableName, harness.Stream.StreamArn, new PartitionKeySelector("roomId")),
                new ResolvedSource("broken", BrokenArn, new PartitionKeySelector("roomId")),
            ],
            new OneBrokenStream(harness.Stream),
            harness.Kinesis,
            harness.Store,
            TimeProvider.System,
            harness.Loggers,
            harness.Metrics);

        // Nobody cancels: the engine must end by itself, with the broken source's error.
        var error = await Assert.ThrowsAsync<ValidationException>(() => engine.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("broken on purpose", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The in-memory stream for its own ARN; a non-retryable error for <see cref="BrokenArn"/>.</summary>
    private sealed class OneBrokenStream(InMemoryStream healthy) : DelegatingStreamsClient(healthy)
    {
        public override Task<StreamDescription> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken) =>
            request.StreamArn == BrokenArn
                ? throw new ValidationException("broken on purpose", HttpStatusCode.BadRequest, "test")
                : base.DescribeStreamAsync(request, cancellationToken);
    }
}
