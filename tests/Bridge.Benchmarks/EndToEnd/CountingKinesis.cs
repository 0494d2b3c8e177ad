using Bridge.Testing;
using System.Diagnostics;
using Bridge.Aws.Kinesis;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary>Passes every call to the real client and counts the records Kinesis acknowledged (a KPL aggregate's
/// records each), and each PutRecords round trip.</summary>
internal sealed class CountingKinesis(IKinesisClient inner) : IKinesisClient
{
    private readonly Lock _lock = new();
    private readonly List<double> _roundTripsMs = [];
    private long _acknowledged;

    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public int Requests
    {
        get
        {
            lock (_lock)
            {
                return _roundTripsMs.Count;
            }
        }
    }

    /// <summary>A percentile of the PutRecords round trips so far, in milliseconds.</summary>
    public double RoundTripMs(double quantile)
    {
        lock (_lock)
        {
            return Percentiles.Of([.. _roundTripsMs], quantile);
        }
    }

    public async Task<PutRecordsResult> PutRecordsAsync(KinesisStreamRef stream, IReadOnlyList<PutRecordsEntry> entries, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await inner.PutRecordsAsync(stream, entries, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var records = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            if (result.Records[i].Succeeded)
            {
                records += KplDeaggregator.CountRecords(entries[i].Data.Head);
            }
        }

        Interlocked.Add(ref _acknowledged, records);
        lock (_lock)
        {
            _roundTripsMs.Add(elapsed);
        }

        return result;
    }

    public Task CreateStreamAsync(string streamName, int? shardCount, CancellationToken cancellationToken) => inner.CreateStreamAsync(streamName, shardCount, cancellationToken);

    public Task DeleteStreamAsync(string streamName, CancellationToken cancellationToken) => inner.DeleteStreamAsync(streamName, cancellationToken);

    public Task<KinesisStreamSummary> DescribeStreamSummaryAsync(KinesisStreamRef stream, CancellationToken cancellationToken) => inner.DescribeStreamSummaryAsync(stream, cancellationToken);

    public Task<ListShardsPage> ListShardsAsync(KinesisStreamRef stream, string? nextToken, CancellationToken cancellationToken) => inner.ListShardsAsync(stream, nextToken, cancellationToken);

    public Task<PutRecordResult> PutRecordAsync(KinesisStreamRef stream, PutRecordsEntry entry, CancellationToken cancellationToken) => inner.PutRecordAsync(stream, entry, cancellationToken);

    public Task<string> GetShardIteratorAsync(KinesisStreamRef stream, string shardId, KinesisIteratorType type, string? sequenceNumber, CancellationToken cancellationToken) =>
        inner.GetShardIteratorAsync(stream, shardId, type, sequenceNumber, cancellationToken);

    public Task<KinesisRecordsPage> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken) => inner.GetRecordsAsync(shardIterator, limit, cancellationToken);

    public Task UpdateShardCountAsync(KinesisStreamRef stream, int targetShardCount, CancellationToken cancellationToken) => inner.UpdateShardCountAsync(stream, targetShardCount, cancellationToken);
}
