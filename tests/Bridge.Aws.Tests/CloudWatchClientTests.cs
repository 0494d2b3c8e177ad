using System.Net;
using System.Text.Json;
using Bridge.Aws.CloudWatch;
using Bridge.Aws.Protocol;
using Bridge.Testing;

namespace Bridge.Aws.Tests;

/// <summary>PutMetricData in its JSON 1.0 form. No emulator speaks it, so the service is a canned answer behind the real client.</summary>
public sealed class CloudWatchClientTests : IDisposable
{
    private readonly CannedAws _aws = new(HttpStatusCode.OK, "{}", options => options.ServiceUrls["cloudwatch"] = new Uri("http://127.0.0.1:9/"));

    private FaultInjectingHandler Wire => _aws.Wire;

    private AwsClientFactory Factory => _aws.Factory;

    public void Dispose() => _aws.Dispose();

    [Fact]
    public async Task Sends_values_distributions_dimensions_and_epoch_second_timestamps()
    {
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, 500, TimeSpan.Zero);
        MetricDatum[] data =
        [
            new("IteratorAge", "Seconds", at, Value: 1.5, Dimensions: [new MetricDimension("Table", "rooms")]),
            new("BatchSize", "Count", at, Values: [10, 500], Counts: [3, 1]),
        ];

        await Factory.CreateCloudWatchClient().PutMetricDataAsync("Bridge", data, CancellationToken.None);

        var sent = Assert.Single(Wire.Requests);
        Assert.Equal("GraniteServiceVersion20100801.PutMetricData", sent.Headers["X-Amz-Target"]);
        Assert.Equal("application/x-amz-json-1.0", sent.Headers["Content-Type"]);
        Assert.Contains("/us-east-1/monitoring/aws4_request", sent.Headers["Authorization"], StringComparison.Ordinal);
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Equal("Bridge", body.RootElement.GetProperty("Namespace").GetString());
        var first = body.RootElement.GetProperty("MetricData")[0];
        Assert.Equal("IteratorAge", first.GetProperty("MetricName").GetString());
        Assert.Equal(1.5, first.GetProperty("Value").GetDouble());
        Assert.Equal(at.ToUnixTimeMilliseconds() / 1000.0, first.GetProperty("Timestamp").GetDouble());
        Assert.Equal("rooms", first.GetProperty("Dimensions")[0].GetProperty("Value").GetString());
        Assert.False(first.TryGetProperty("Values", out _));
        var second = body.RootElement.GetProperty("MetricData")[1];
        Assert.Equal([10.0, 500.0], second.GetProperty("Values").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([3.0, 1.0], second.GetProperty("Counts").EnumerateArray().Select(v => v.GetDouble()));
    }

    public static TheoryData<string, MetricDatum[]> BrokenData() => new()
    {
        { "no datums", [] },
        { "1001 datums", Enumerable.Repeat(new MetricDatum("m", "Count", DateTimeOffset.UnixEpoch, 1), 1001).ToArray() },
        { "empty metric name", [new MetricDatum("", "Count", DateTimeOffset.UnixEpoch, 1)] },
        { "NaN value", [new MetricDatum("m", "Count", DateTimeOffset.UnixEpoch, double.NaN)] },
        { "counts not pairing values", [new MetricDatum("m", "Count", DateTimeOffset.UnixEpoch, Values: [1, 2], Counts: [1])] },
        { "31 dimensions", [new MetricDatum("m", "Count", DateTimeOffset.UnixEpoch, 1, Dimensions: Enumerable.Range(0, 31).Select(i => new MetricDimension($"d{i}", "v")).ToArray())] },
    };

    [Theory]
    [MemberData(nameof(BrokenData))]
    public async Task Data_that_breaks_a_limit_is_refused_and_nothing_is_sent(string why, MetricDatum[] data)
    {
        var error = await Assert.ThrowsAsync<AwsRequestValidationException>(
            () => Factory.CreateCloudWatchClient().PutMetricDataAsync("Bridge", data, CancellationToken.None));

        Assert.False(string.IsNullOrEmpty(error.Message), why);
        Assert.Empty(Wire.Requests);
    }

    [Fact]
    public async Task Throttling_is_retried_by_the_shared_policy()
    {
        Wire.Enqueue(Fault.Error(HttpStatusCode.BadRequest, "Throttling"));

        await Factory.CreateCloudWatchClient().PutMetricDataAsync("Bridge", [new MetricDatum("m", "Count", DateTimeOffset.UnixEpoch, 1)], CancellationToken.None);

        Assert.Equal(2, Wire.CountOf("PutMetricData"));
    }
}
