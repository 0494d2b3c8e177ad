using System.Net;
using System.Text.Json;
using Amazon.Runtime;
using Bridge.Aws.Protocol;
using Bridge.Host.Telemetry;
using Bridge.Source;
using Bridge.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Metrics;

using Bridge.Testing;

namespace Bridge.IntegrationTests.Observability;

/// <summary>The PutMetricData path, against a local endpoint that captures what a CloudWatch client would send.</summary>
public sealed class CloudWatchExporterTests
{
    [Fact]
    public async Task PutMetricData_sends_the_EMF_names_with_the_service_dimension_in_a_valid_request()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new BridgeMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TimeProvider.System);
        var queue = new CloudWatchQueue();
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(BridgeMetrics.MeterName)
            .AddReader(new PeriodicExportingMetricReader(new CloudWatchExporter(queue, TimeProvider.System), 3_600_000) { TemporalityPreference = MetricReaderTemporalityPreference.Delta })
            .Build())
        {
            var shard = new SourceShard("orders", "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/x", "shardId-1");
            metrics.Track(shard).OnRead(TimeProvider.System.GetUtcNow());
            metrics.RecordsRead(shard, 7);
            metrics.EntriesFailed("ProvisionedThroughputExceededException", 3, throttled: true, "shardId-000000000000");
            provider.ForceFlush();
        }

        var port = BridgeProcess.FreePort();
        using var capture = new HttpListener();
        capture.Prefixes.Add($"http://127.0.0.1:{port}/");
        capture.Start();
        using var factory = new AwsClientFactory(
            new AwsClientOptions { Region = "us-east-1", ServiceUrls = { ["cloudwatch"] = new Uri($"http://127.0.0.1:{port}/") }, MaxAttempts = 1 },
            new BasicAWSCredentials("test", "test"));
        var publisher = new CloudWatchPublisher(queue, factory.CreateCloudWatchClient(), "DynamoDbKinesisBridge", "svc-a", NullLogger<CloudWatchPublisher>.Instance);
        await publisher.StartAsync(CancellationToken.None);

        var context = await capture.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var request = context.Request;
        var body = await new StreamReader(request.InputStream).ReadToEndAsync();
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-amz-json-1.0";
        await context.Response.OutputStream.WriteAsync("{}"u8.ToArray());
        context.Response.Close();
        await publisher.StopAsync(CancellationToken.None);

        Assert.Equal("POST", request.HttpMethod);
        Assert.Equal("GraniteServiceVersion20100801.PutMetricData", request.Headers["X-Amz-Target"]);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=test/", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains("/us-east-1/monitoring/aws4_request", request.Headers["Authorization"], StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("DynamoDbKinesisBridge", json.RootElement.GetProperty("Namespace").GetString());
        var data = json.RootElement.GetProperty("MetricData").EnumerateArray().ToList();
        Assert.InRange(data.Count, 1, 1000);
        Assert.All(data, datum =>
        {
            var dimension = Assert.Single(datum.GetProperty("Dimensions").EnumerateArray());
            Assert.Equal("ServiceName", dimension.GetProperty("Name").GetString());
            Assert.Equal("svc-a", dimension.GetProperty("Value").GetString());
            Assert.True(datum.TryGetProperty("Unit", out _));
        });
        double Value(string name) => data.Single(d => d.GetProperty("MetricName").GetString() == name).GetProperty("Value").GetDouble();
        Assert.Equal(7, Value("RecordsRead"));
        Assert.Equal(3, Value("PutRecordsThrottled"));
        Assert.Equal(3, Value("PutRecordsFailed"));
        Assert.Equal(0, Value("RecordsForwarded"));
        var names = data.Select(d => d.GetProperty("MetricName").GetString()!).ToHashSet();
        Assert.Subset(CloudWatchMetricMap.Names.ToHashSet(), names);
    }
}
