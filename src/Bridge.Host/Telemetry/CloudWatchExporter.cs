using System.Threading.Channels;
using Bridge.Aws.CloudWatch;
using Bridge.Aws.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Bridge.Host.Telemetry;

/// <summary>The intervals folded for PutMetricData, waiting to be sent; bounded, the oldest dropped when CloudWatch can't keep up.</summary>
internal sealed class CloudWatchQueue
{
    public Channel<(DateTimeOffset Timestamp, List<CloudWatchValue> Values)> Channel { get; } =
        System.Threading.Channels.Channel.CreateBounded<(DateTimeOffset, List<CloudWatchValue>)>(
            new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
}

/// <summary>Folds each interval exactly as <see cref="EmfExporter"/> does and queues it for <see cref="CloudWatchPublisher"/>.</summary>
/// <remarks>The reader's thread must not wait on the network, so sending happens on the publisher's own loop.</remarks>
internal sealed class CloudWatchExporter(CloudWatchQueue queue, TimeProvider time) : BaseExporter<Metric>
{
    public override ExportResult Export(in Batch<Metric> batch)
    {
        queue.Channel.Writer.TryWrite((time.GetUtcNow(), CloudWatchMetricMap.Fold(batch)));
        return ExportResult.Success;
    }
}

/// <summary>Sends the queued intervals with <c>PutMetricData</c>, one request per interval (at most 1000 datums each).</summary>
internal sealed partial class CloudWatchPublisher(
    CloudWatchQueue queue,
    ICloudWatchClient client,
    string metricNamespace,
    string serviceName,
    ILogger<CloudWatchPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dimensions = new[] { new MetricDimension(EmfExporter.ServiceDimension, serviceName) };
        try
        {
            await foreach (var (timestamp, values) in queue.Channel.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var chunk in values.Chunk(CloudWatchClient.MaxDatums))
                {
                    var data = chunk.Select(v => new MetricDatum(v.Name, v.Unit, timestamp, Value: v.Value, Dimensions: dimensions)).ToList();
                    try
                    {
                        await client.PutMetricDataAsync(metricNamespace, data, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is AwsServiceException or HttpRequestException or TimeoutException)
                    {
                        // Metrics are not worth stopping the bridge for: this interval is lost, the next one is tried.
                        LogPutFailed(data.Count, ex.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "PutMetricData of {Datums} datums failed: {Error}; this interval's metrics are lost")]
    private partial void LogPutFailed(int datums, string error);
}
