using Bridge.Host.Health;
using Bridge.Source;
using Bridge.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

using Bridge.Testing;

namespace Bridge.IntegrationTests.Observability;

public sealed class BridgeHealthTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new();
    private readonly Lifetime _lifetime = new();
    private readonly BridgeMetrics _metrics;
    private readonly BridgeHealth _health;

    public BridgeHealthTests()
    {
        _metrics = new BridgeMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), _time);
        _health = new BridgeHealth(_metrics, new HealthOptions { StallTimeout = TimeSpan.FromMinutes(2) }, _time, _lifetime);
    }

    [Fact]
    public void Before_any_shard_starts_the_process_is_healthy_and_not_ready()
    {
        var report = _health.Evaluate();
        Assert.True(report.Healthy);
        Assert.False(report.Ready);
    }

    [Fact]
    public void Ready_once_a_shard_has_read()
    {
        var status = _metrics.Track(Shard("s1"));
        Assert.False(_health.Evaluate().Ready);
        status.OnRead(_time.GetUtcNow());
        Assert.True(_health.Evaluate().Ready);
    }

    [Fact]
    public void A_shard_without_reads_or_acknowledgements_for_the_stall_timeout_is_unhealthy_with_its_last_error()
    {
        var status = _metrics.Track(Shard("s1"));
        status.OnRead(_time.GetUtcNow());
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(_health.Evaluate().Healthy);

        status.OnReadFailed("HttpRequestException: Connection refused");
        _time.Advance(TimeSpan.FromSeconds(1));
        var report = _health.Evaluate();
        Assert.False(report.Healthy);
        Assert.False(report.Ready);
        var problem = Assert.Single(report.Problems);
        Assert.Contains("orders/s1 made no progress for 121 s", problem, StringComparison.Ordinal);
        Assert.Contains("Connection refused", problem, StringComparison.Ordinal);
        Assert.Equal(1, Assert.Single(report.Shards).ReadFailures);

        status.OnRead(_time.GetUtcNow());
        Assert.True(_health.Evaluate().Healthy);
    }

    [Fact]
    public void Acknowledgements_keep_a_shard_held_back_by_the_sink_alive()
    {
        var status = _metrics.Track(Shard("s1"));
        status.OnRead(_time.GetUtcNow());
        _time.Advance(TimeSpan.FromMinutes(3));
        status.OnForwarded(_time.GetUtcNow() - TimeSpan.FromMinutes(3), _time.GetUtcNow());
        Assert.True(_health.Evaluate().Healthy);
    }

    [Fact]
    public void A_blocked_shard_is_unhealthy_at_once()
    {
        var status = _metrics.Track(Shard("s1"));
        status.OnRead(_time.GetUtcNow());
        status.BlockedReason = "NoPartitionKey at sequence 42";
        Assert.Contains("blocked: NoPartitionKey at sequence 42", Assert.Single(_health.Evaluate().Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Not_ready_while_stopping()
    {
        _metrics.Track(Shard("s1")).OnRead(_time.GetUtcNow());
        _lifetime.StopApplication();
        var report = _health.Evaluate();
        Assert.True(report.Healthy);
        Assert.False(report.Ready);
    }

    public void Dispose() => _services.Dispose();

    private static SourceShard Shard(string id) => new("orders", "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/x", id);

    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
