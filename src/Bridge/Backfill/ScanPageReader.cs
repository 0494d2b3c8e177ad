using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.Protocol;
using Microsoft.Extensions.Logging;

namespace Bridge.Backfill;

/// <summary>Reads one Scan page of a segment; a failure that passes with time (throttling past the SDK's own retries, a
/// 5xx, the network) is retried with backoff for as long as it lasts, keeping the segment's place, as a shard's reads are.</summary>
internal sealed partial class ScanPageReader(IAmazonDynamoDB dynamoDb, TimeProvider time, ILogger logger)
{
    /// <summary>1 s, doubling per failure in a row, at most 30 s, with full jitter: the segments of a throttled scan spread out.</summary>
    private static readonly Backoff ScanRetry = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), Backoff.SharedRandom);

    /// <param name="segmentName">Names the segment in the log line of a failure.</param>
    public async Task<ScanResponse> ReadAsync(ScanRequest request, string segmentName, CancellationToken cancellationToken)
    {
        for (var failures = 1; ; failures++)
        {
            try
            {
                return await dynamoDb.ScanAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (TransientFailure.Is(ex, cancellationToken))
            {
                LogScanFailed(request.TableName, segmentName, failures, ex.Message);
                await Task.Delay(ScanRetry.DelayBefore(failures), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 1506, Level = LogLevel.Warning, Message = "Scan of backfill segment {Table}/{Segment} failed ({Failures} in a row): {Error}; retrying with backoff")]
    private partial void LogScanFailed(string table, string segment, int failures, string error);
}
