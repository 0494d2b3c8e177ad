using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Bridge.Telemetry;

/// <summary>Turns a storm of failed PutRecords entries into one warning per interval, counted by target shard and error code.</summary>
/// <remarks>
/// Throttling is normal back-pressure: the sink retries every entry in order, so a warning per request would only
/// bury the log. The first failure of a quiet period arms a one-shot timer; when it fires, the counts gathered
/// since are logged once and cleared, and the next failure arms it again. Counts change only under the lock; the
/// log line is written outside it.
/// </remarks>
public sealed partial class PutRecordsFailureSummary : IDisposable
{
    private readonly string _stream;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    /// <summary>What stands for the target shard when a whole request failed.</summary>
    public const string WholeRequest = "(request)";

    /// <summary>Failed entries since <see cref="_since"/>, by (target shard or <c>(request)</c>, error code); empty when quiet.</summary>
    private readonly Dictionary<(string TargetShard, string ErrorCode), int> _counts = [];

    /// <summary>Armed exactly while <see cref="_counts"/> is not empty; null otherwise and after disposal.</summary>
    private ITimer? _timer;

    /// <summary>Of the counted entries, those refused for throughput.</summary>
    private int _throttled;

    private DateTimeOffset _since;
    private bool _disposed;

    public PutRecordsFailureSummary(string stream, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _stream = stream;
        _interval = interval;
        _time = time;
        _logger = logger;
    }

    /// <param name="targetShard">The target shard id, or <see cref="WholeRequest"/>.</param>
    /// <param name="throttled">Refused for throughput, as the sink decided for its windows.</param>
    public void Add(string targetShard, string errorCode, int entries, bool throttled)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (_timer is null)
            {
                _since = _time.GetUtcNow();
                _timer = _time.CreateTimer(_ => Flush(), null, _interval, Timeout.InfiniteTimeSpan);
            }

            var key = (targetShard, errorCode);
            _counts[key] = _counts.GetValueOrDefault(key) + entries;
            _throttled += throttled ? entries : 0;
        }
    }

    /// <summary>Logs what was gathered and not yet logged.</summary>
    public void Dispose()
    {
        Flush();
        lock (_lock)
        {
            _disposed = true;
        }
    }

    private void Flush()
    {
        KeyValuePair<(string TargetShard, string ErrorCode), int>[] counts;
        DateTimeOffset since;
        int throttled;
        lock (_lock)
        {
            counts = [.. _counts.OrderBy(c => c.Key.TargetShard, StringComparer.Ordinal).ThenBy(c => c.Key.ErrorCode, StringComparer.Ordinal)];
            since = _since;
            throttled = _throttled;
            _throttled = 0;
            _counts.Clear();
            _timer?.Dispose();
            _timer = null;
        }

        if (counts.Length == 0)
        {
            return;
        }

        var entries = counts.Sum(c => c.Value);
        var breakdown = new StringBuilder();
        foreach (var ((shard, code), count) in counts)
        {
            breakdown.Append(breakdown.Length == 0 ? "" : ", ").Append(shard).Append(' ').Append(code).Append(" x").Append(count.ToString(CultureInfo.InvariantCulture));
        }

        LogSummary(_logger, _stream, entries, throttled, Math.Round((_time.GetUtcNow() - since).TotalSeconds), breakdown.ToString());
    }

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "PutRecords to {Stream}: {Entries} entries failed ({Throttled} throttled) in the last {Seconds} s, all retried in order: {Breakdown}")]
    private static partial void LogSummary(ILogger logger, string stream, int entries, int throttled, double seconds, string breakdown);
}
