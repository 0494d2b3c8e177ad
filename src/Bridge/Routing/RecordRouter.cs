using System.Text;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;

namespace Bridge.Routing;

/// <summary>
/// Turns one stream record into one Kinesis record: its partition key (<see cref="PartitionKeySelector"/>)
/// and its data (<see cref="IRecordEncoder"/>), within the Kinesis record size limit.
/// </summary>
/// <remarks>One per source shard, like its encoder. Never throws for a bad record: every way a record can
/// fail is an <see cref="RouteOutcome"/>.</remarks>
internal sealed class RecordRouter
{
    /// <summary>Kinesis's default per-record limit on data plus partition key, in bytes.</summary>
    public const int DefaultMaxRecordBytes = 1024 * 1024;

    /// <summary>The largest limit a stream can be configured with (Kinesis raised it from 1 MiB to 10 MiB).</summary>
    public const int MaxConfigurableRecordBytes = 10 * 1024 * 1024;

    private readonly PartitionKeySelector _selector;
    private readonly IRecordEncoder _encoder;

    /// <summary>The stream's per-record limit: data bytes plus partition key UTF-8 bytes, which is how
    /// Kinesis counts it.</summary>
    private readonly int _maxRecordBytes;

    public RecordRouter(PartitionKeySelector selector, IRecordEncoder encoder, int maxRecordBytes = DefaultMaxRecordBytes)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecordBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxRecordBytes, MaxConfigurableRecordBytes);
        _selector = selector;
        _encoder = encoder;
        _maxRecordBytes = maxRecordBytes;
    }

    /// <summary>The attribute the key comes from; give it to the decoder so records arrive located.</summary>
    public AttributePath KeyPath => _selector.Path;

    /// <summary>Routes one record. Allocates the key string, and nothing else when routed.</summary>
    public RouteOutcome Route(in StreamRecord record)
    {
        KeySelection selection = _selector.Select(record);
        if (!selection.IsSelected)
        {
            return Undeliverable(selection);
        }

        if (!_encoder.TryEncode(record, out RecordData data))
        {
            return RouteOutcome.Undeliverable(UndeliverableReason.Malformed, "The record is not a JSON object: it does not end with '}'.");
        }

        int dataBytes = data.Length;
        int keyBytes = Encoding.UTF8.GetByteCount(selection.Key);
        long total = (long)dataBytes + keyBytes;
        if (total > _maxRecordBytes)
        {
            return RouteOutcome.Undeliverable(
                UndeliverableReason.Oversized,
                $"The record is {total} bytes ({dataBytes} of data and {keyBytes} of partition key '{_selector.Text}'), " +
                $"over the {_maxRecordBytes}-byte limit.");
        }

        return RouteOutcome.Routed(selection.Key, data, (int)total);
    }

    private RouteOutcome Undeliverable(in KeySelection selection)
    {
        string path = selection.Part is { } part ? $"{part}' of '{_selector.Text}" : _selector.Text;
        string type = AttributeTypeCodes.Code(selection.Type);
        return selection.Status switch
        {
            KeySelectionStatus.MissingAttribute => RouteOutcome.Undeliverable(
                UndeliverableReason.MissingKey,
                $"The partition key '{path}' is in none of NewImage, OldImage and Keys."),
            KeySelectionStatus.UnsupportedType when selection.Detail is { } prefix => RouteOutcome.Undeliverable(
                UndeliverableReason.UnsupportedKeyType,
                $"The partition key '{path}' cannot be read from {selection.Source}: '{prefix}' is {type}, not a map (M)."),
            KeySelectionStatus.UnsupportedType => RouteOutcome.Undeliverable(
                UndeliverableReason.UnsupportedKeyType,
                $"The partition key '{path}' in {selection.Source} is {type}; a key must be S, N, B or BOOL."),
            KeySelectionStatus.Empty => RouteOutcome.Undeliverable(
                UndeliverableReason.EmptyKey,
                $"The partition key '{path}' in {selection.Source} is an empty {type}; Kinesis rejects empty partition keys."),
            KeySelectionStatus.PatternMismatch => RouteOutcome.Undeliverable(
                UndeliverableReason.KeyPatternMismatch,
                $"The partition key '{path}' gives no key: {selection.Detail}."),
            KeySelectionStatus.Malformed => RouteOutcome.Undeliverable(
                UndeliverableReason.Malformed,
                $"The record is not a DynamoDB stream record: {selection.Detail}"),
            _ => throw new ArgumentOutOfRangeException(nameof(selection), selection.Status, "not a failed selection"),
        };
    }
}
