using System.Buffers;
using System.Text;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Bridge.Host.Telemetry;

/// <summary>Writes each interval's metrics as CloudWatch Embedded Metric Format lines: no API calls, no IAM; the ECS
/// awslogs driver ships stdout to CloudWatch Logs, which extracts the metrics.</summary>
/// <remarks>Runs on the periodic reader's thread, once per interval (and once at shutdown). Each line is written with
/// one <see cref="TextWriter.WriteLine(string)"/> on a synchronized writer, so log lines never split it.</remarks>
internal sealed class EmfExporter(string metricNamespace, string serviceName, TextWriter output, TimeProvider time) : BaseExporter<Metric>
{
    /// <summary>EMF allows at most 100 metrics per directive; more are spread over several lines.</summary>
    public const int MaxMetricsPerLine = 100;

    public const string ServiceDimension = "ServiceName";

    public override ExportResult Export(in Batch<Metric> batch)
    {
        var values = CloudWatchMetricMap.Fold(batch);
        foreach (var line in Lines(metricNamespace, serviceName, time.GetUtcNow(), values))
        {
            output.WriteLine(line);
        }

        output.Flush();
        return ExportResult.Success;
    }

    /// <summary>The EMF lines for one interval's values.</summary>
    public static IEnumerable<string> Lines(string metricNamespace, string serviceName, DateTimeOffset timestamp, IReadOnlyList<CloudWatchValue> values)
    {
        for (var start = 0; start < values.Count; start += MaxMetricsPerLine)
        {
            var chunk = values.Skip(start).Take(MaxMetricsPerLine).ToList();
            var buffer = new ArrayBufferWriter<byte>(1024);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteStartObject("_aws");
                json.WriteNumber("Timestamp", timestamp.ToUnixTimeMilliseconds());
                json.WriteStartArray("CloudWatchMetrics");
                json.WriteStartObject();
                json.WriteString("Namespace", metricNamespace);
                json.WriteStartArray("Dimensions");
                json.WriteStartArray();
                json.WriteStringValue(ServiceDimension);
                json.WriteEndArray();
                json.WriteEndArray();
                json.WriteStartArray("Metrics");
                foreach (var value in chunk)
                {
                    json.WriteStartObject();
                    json.WriteString("Name", value.Name);
                    json.WriteString("Unit", value.Unit);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteString(ServiceDimension, serviceName);
                foreach (var value in chunk)
                {
                    json.WriteNumber(value.Name, value.Value);
                }

                json.WriteEndObject();
            }

            yield return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }
}
