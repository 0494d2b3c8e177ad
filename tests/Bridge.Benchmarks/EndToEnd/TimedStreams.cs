using System.Diagnostics;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Testing;

namespace Bridge.Benchmarks.EndToEnd;

/// <summary>Passes every call to the real client and times each GetRecords that returned records, to show how much of
/// a catch-up is spent waiting for the source.</summary>
internal sealed class TimedStreams(IDynamoDbStreamsClient inner) : DelegatingStreamsClient(inner)
{
    private readonly Lock _lock = new();
    private readonly List<double> _pagesMs = [];
    private readonly long _created = Stopwatch.GetTimestamp();
    private long _firstPageAt;
    private int _calls;
    private long _recordsRead;

    /// <summary>From this client's creation to the first answer with records, in milliseconds: the forwarder's start-up.</summary>
    public double FirstPageMs => Interlocked.Read(ref _firstPageAt) is var at and > 0 ? Stopwatch.GetElapsedTime(_created, at).TotalMilliseconds : double.NaN;

    /// <summary>GetRecords calls, empty answers included.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Records the calls returned, summed.</summary>
    public long RecordsRead => Interlocked.Read(ref _recordsRead);

    /// <summary>A percentile of the GetRecords calls that returned records, in milliseconds.</summary>
    public double PageMs(double quantile)
    {
        lock (_lock)
        {
            return Percentiles.Of([.. _pagesMs], quantile);
        }
    }

    /// <summary>Time spent in GetRecords calls that returned records, summed, in seconds.</summary>
    public double PageSeconds()
    {
        lock (_lock)
        {
            return _pagesMs.Sum() / 1000;
        }
    }

    public override async Task<GetRecordsPage> GetRecordsAsync(string shardIterator, int limit, AttributePath? locate, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var page = await base.GetRecordsAsync(shardIterator, limit, locate, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _recordsRead, page.Records.Length);
        if (page.Records.Length > 0)
        {
            Interlocked.CompareExchange(ref _firstPageAt, Stopwatch.GetTimestamp(), 0);
            lock (_lock)
            {
                _pagesMs.Add(elapsed);
            }
        }

        return page;
    }
}
