using Bridge.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Bridge.Tests.Telemetry;

public sealed class PutRecordsFailureSummaryTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();

    [Fact]
    public void A_storm_is_one_warning_per_interval_counted_by_target_shard_and_code()
    {
        using var summary = new PutRecordsFailureSummary("target", TimeSpan.FromSeconds(10), _time, _logger);
        for (var i = 0; i < 50; i++)
        {
            summary.Add("shardId-000000000001", "ProvisionedThroughputExceededException", 1, throttled: true);
        }

        summary.Add("shardId-000000000002", "InternalFailure", 2, throttled: false);
        summary.Add("(request)", "ThrottlingException", 10, throttled: true);
        Assert.Empty(_logger.Collector.GetSnapshot());

        _time.Advance(TimeSpan.FromSeconds(10));

        var log = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, log.Level);
        Assert.Equal(3005, log.Id.Id);
        Assert.Equal(
            "PutRecords to target: 62 entries failed (60 throttled) in the last 10 s, all retried in order: "
            + "(request) ThrottlingException x10, shardId-000000000001 ProvisionedThroughputExceededException x50, shardId-000000000002 InternalFailure x2",
            log.Message);
        Assert.Equal("62", log.StructuredState!.Single(s => s.Key == "Entries").Value);
    }

    [Fact]
    public void A_quiet_interval_logs_nothing_and_the_next_failure_starts_a_new_one()
    {
        using var summary = new PutRecordsFailureSummary("target", TimeSpan.FromSeconds(10), _time, _logger);
        summary.Add("shardId-000000000001", "ProvisionedThroughputExceededException", 1, throttled: true);
        _time.Advance(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Single(_logger.Collector.GetSnapshot());

        summary.Add("shardId-000000000001", "ProvisionedThroughputExceededException", 3, throttled: true);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Single(_logger.Collector.GetSnapshot());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, _logger.Collector.Count);
        Assert.Contains("3 entries failed", _logger.Collector.LatestRecord.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposal_logs_what_was_not_logged_yet()
    {
        var summary = new PutRecordsFailureSummary("target", TimeSpan.FromSeconds(10), _time, _logger);
        summary.Add("shardId-000000000001", "ProvisionedThroughputExceededException", 4, throttled: true);
        summary.Dispose();
        Assert.Contains("4 entries failed", Assert.Single(_logger.Collector.GetSnapshot()).Message, StringComparison.Ordinal);
    }
}
