using System.Net;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Protocol;
using Bridge.Coordination;
using Bridge.Source;
using Bridge.Testing;
using Bridge.Tests.Fakes;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Tests.Source;

/// <summary>How reading survives what the source does to its shards (trims, vanished parents, expiring iterators), and how it paces its calls.</summary>
public class ShardReaderTests
{
    [Fact]
    public async Task A_trimmed_checkpoint_is_counted_as_lost_at_the_source_and_reading_goes_on_from_the_trim_horizon()
    {
        using var harness = new EngineHarness();
        using var trimmed = new MetricCollector<long>(harness.MeterFactory, global::Bridge.Telemetry.BridgeMetrics.MeterName, "bridge.source.trimmed");
        harness.Stream.AddShard("A");
        var records = Enumerable.Range(0, 10).Select(_ => harness.Stream.Append("A", "room-1")).ToArray();
        await harness.Store.TryCreateAsync(Lease.New(harness.Stream.StreamArn, "A", null, Checkpoint.After(records[1].SequenceNumber)), CancellationToken.None);
        harness.Stream.Trim("A", 5);

        await harness.RunUntilAsync(() => harness.Delivered().Count == 5);

        Assert.Equal(records.Skip(5).Select(r => r.SequenceNumber.Value), harness.Delivered().Select(d => d.SequenceNumber));
        Assert.Equal(1, trimmed.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task A_child_whose_parent_aged_out_of_the_stream_starts_at_once_from_the_trim_horizon()
    {
        using var harness = new EngineHarness();
        harness.Stream.AddShard("child", parentShardId: "parent-gone");
        var records = Enumerable.Range(0, 3).Select(_ => harness.Stream.Append("child", "room-1")).ToArray();

        await harness.RunUntilAsync(() => harness.Delivered().Count == 3);

        Assert.Equal(records.Select(r => r.SequenceNumber.Value), harness.Delivered().Select(d => d.SequenceNumber));
    }

    [Fact]
    public async Task Expiring_iterators_are_renewed_after_the_last_record_read_without_loss_or_repeats()
    {
        using var harness = new EngineHarness();
        var expiry = new Random(3);
        harness.Stream.ExpireIterator = () => expiry.NextDouble() < 0.3;
        harness.Options.Reading.BatchSize = 7;
        harness.Stream.AddShard("A");
        var records = harness.Stream.AppendRooms("A", 100, 5);

        await harness.RunUntilAsync(() => harness.Delivered().Count >= 100);

        Assert.Equal(records.Select(r => r.SequenceNumber.Value).Order(), harness.Delivered().Select(d => d.SequenceNumber).Order());
    }

    [Fact]
    public async Task A_late_child_is_found_at_its_parents_shard_end_and_read_after_it()
    {
        using var harness = new EngineHarness();
        harness.Options.DiscoveryInterval = TimeSpan.FromHours(1);
        harness.Stream.AddShard("A");
        harness.Stream.Append("A", "room-1");
        harness.Stream.Split("A", "B", "C");
        harness.Stream.Append("B", "room-1");
        harness.Stream.Append("C", "room-1");

        await harness.RunUntilAsync(() => harness.Delivered().Count == 3);

        Assert.Equal("A", harness.Delivered()[0].ShardId);
        Assert.Equal(Checkpoint.ShardEnd, harness.Store.Get(harness.Stream.StreamArn, "A")!.Checkpoint);
    }
    [Theory]
    [InlineData(10, 25, 16, 10, 10)] // BatchSize records
    [InlineData(1000, 2, 330_000, 2, 0)] // far fewer than asked for, but a 400 KB item after them would not have fit in 1 MB
    public async Task After_a_page_at_one_of_the_caps_the_next_read_goes_out_without_waiting(int batchSize, int records, int payloadBytes, int first, int second)
    {
        using var reading = new PacedReading(batchSize);
        reading.Append(records, payloadBytes);

        Assert.Equal(first, (await reading.Reader.ReadAsync(CancellationToken.None)).Records.Length);
        var next = reading.Reader.ReadAsync(CancellationToken.None);

        Assert.True(next.IsCompletedSuccessfully, "a page at a cap says a backlog may be waiting: no pause before the next call");
        Assert.Equal(second, (await next.WaitAsync(PacedReading.HangGuard)).Records.Length);
        Assert.Equal(2, reading.Stream.GetRecordsCalls);
    }

    [Theory]
    [InlineData(5, 16)]
    [InlineData(2, 200_000)]
    public async Task After_a_page_under_both_caps_the_next_read_waits_the_min_poll_interval_from_the_last_calls_start(int records, int payloadBytes)
    {
        using var reading = new PacedReading(batchSize: 10);
        reading.Append(records, payloadBytes);

        Assert.Equal(records, (await reading.Reader.ReadAsync(CancellationToken.None)).Records.Length);
        var next = reading.Reader.ReadAsync(CancellationToken.None);

        Assert.Equal(reading.Options.MinPollInterval - PacedReading.CallLatency, await reading.Time.NextTimerAsync(_ => true));
        reading.Time.Advance(reading.Options.MinPollInterval - PacedReading.CallLatency - TimeSpan.FromTicks(1));
        Assert.False(next.IsCompleted);
        reading.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Empty((await next.WaitAsync(PacedReading.HangGuard)).Records);
    }

    [Fact]
    public async Task After_an_empty_page_the_next_read_waits_the_idle_poll_interval()
    {
        using var reading = new PacedReading(batchSize: 10);

        Assert.Empty((await reading.Reader.ReadAsync(CancellationToken.None)).Records);
        var next = reading.Reader.ReadAsync(CancellationToken.None);

        Assert.Equal(reading.Options.IdlePollInterval, await reading.Time.NextTimerAsync(_ => true));
        Assert.False(next.IsCompleted);
        reading.Append(1, payloadBytes: 16);
        reading.Time.Advance(reading.Options.IdlePollInterval);
        Assert.Single((await next.WaitAsync(PacedReading.HangGuard)).Records);
    }

    [Fact]
    public async Task A_throttled_read_after_a_full_page_reaches_the_caller_instead_of_being_retried_at_once()
    {
        // The wire client has already retried it with backoff; the shard's consumer backs off again (1 s, doubling).
        using var reading = new PacedReading(batchSize: 10);
        reading.Append(20, payloadBytes: 16);
        await reading.Reader.ReadAsync(CancellationToken.None);
        reading.Source.Throttled = true;

        await Assert.ThrowsAsync<LimitExceededException>(() => reading.Reader.ReadAsync(CancellationToken.None).WaitAsync(PacedReading.HangGuard));
        Assert.Equal(1, reading.Source.ThrottledCalls);
    }

    /// <summary>One shard read by a bare <see cref="ShardReader"/> on fake time, each GetRecords taking <see cref="CallLatency"/>.</summary>
    private sealed class PacedReading : IDisposable
    {
        public static readonly TimeSpan CallLatency = TimeSpan.FromMilliseconds(30);

        /// <summary>Only for a bug that leaves a read hanging; nothing here waits on the wall clock otherwise.</summary>
        public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

        private readonly EngineHarness _harness = new();

        public PacedReading(int batchSize)
        {
            Stream.AddShard("A");
            Source = new LatentSource(Stream, Time);
            Options = new ReaderOptions { BatchSize = batchSize };
            Reader = new ShardReader(Source, new SourceShard(Stream.TableName, Stream.StreamArn, "A"), ShardStartPosition.TrimHorizon, Options, Time, NullLogger.Instance, _harness.Metrics);
        }

        public InMemoryStream Stream => _harness.Stream;

        public LatentSource Source { get; }

        public RecordingTimeProvider Time { get; } = new();

        public ReaderOptions Options { get; }

        public ShardReader Reader { get; }

        public void Append(int count, int payloadBytes)
        {
            for (var i = 0; i < count; i++)
            {
                Stream.Append("A", "room-" + i, payloadBytes);
            }
        }

        public void Dispose() => _harness.Dispose();
    }

    /// <summary>The in-memory stream, with every GetRecords taking <see cref="PacedReading.CallLatency"/> of fake time, or
    /// throttled (as the wire client reports it once its own retries are spent) while <see cref="Throttled"/>.</summary>
    private sealed class LatentSource(InMemoryStream stream, RecordingTimeProvider time) : DelegatingStreamsClient(stream)
    {
        public bool Throttled { get; set; }

        public int ThrottledCalls { get; private set; }

        public override Task<GetRecordsPage> GetRecordsAsync(string shardIterator, int limit, AttributePath? locate, CancellationToken cancellationToken)
        {
            if (Throttled)
            {
                ThrottledCalls++;
                return Task.FromException<GetRecordsPage>(new LimitExceededException("Too many operations for a given subscriber.", HttpStatusCode.BadRequest, "fake"));
            }

            time.Advance(PacedReading.CallLatency);
            return base.GetRecordsAsync(shardIterator, limit, locate, cancellationToken);
        }
    }
}
