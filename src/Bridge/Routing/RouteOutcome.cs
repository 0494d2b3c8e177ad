using System.Diagnostics.CodeAnalysis;
using Bridge.Aws.Kinesis;

namespace Bridge.Routing;

/// <summary>Why a record cannot be sent to Kinesis.</summary>
internal enum UndeliverableReason
{
    /// <summary>Not undeliverable: the outcome is Routed (or a default instance, which is neither).</summary>
    None,

    /// <summary>The key path is in none of NewImage, OldImage and Keys.</summary>
    MissingKey,

    /// <summary>The value at the key path cannot be a key (M, L, a set, NULL), or the path crosses a non-map.</summary>
    UnsupportedKeyType,

    /// <summary>The key is an empty S or B, which Kinesis rejects.</summary>
    EmptyKey,

    /// <summary>The bytes are not a DynamoDB stream record.</summary>
    Malformed,

    /// <summary>Data plus partition key exceed the record size limit.</summary>
    Oversized,

    /// <summary>Merge mode: the record has no usable order value (<c>Bridge:Sources:N:OrderBy</c>).</summary>
    NoOrderValue,
}

/// <summary>What <see cref="RecordRouter.Route"/> made of one record: a Kinesis record, or why there is none.</summary>
/// <remarks>A struct so that routing allocates nothing beyond the key. The caller logs an
/// undeliverable record by its sequence number and <see cref="StreamRecordKeys.Describe"/>, never its payload.</remarks>
internal readonly struct RouteOutcome
{
    private RouteOutcome(string? partitionKey, RecordData data, int size, UndeliverableReason reason, string? message)
    {
        PartitionKey = partitionKey;
        Data = data;
        Size = size;
        Reason = reason;
        Message = message;
    }

    /// <summary>Routed: the Kinesis partition key. Null otherwise.</summary>
    public string? PartitionKey { get; }

    /// <summary>Routed: the Kinesis record data (see <see cref="OutputRecordEncoder"/>). Empty otherwise.</summary>
    public RecordData Data { get; }

    /// <summary>Routed: what Kinesis counts against its limits, data plus partition key UTF-8 bytes.</summary>
    public int Size { get; }

    /// <summary>Undeliverable: why. <see cref="UndeliverableReason.None"/> when routed.</summary>
    public UndeliverableReason Reason { get; }

    /// <summary>Undeliverable: a sentence for the log naming the key path and, when oversized, the sizes and
    /// the limit. It never quotes the payload. Null when routed.</summary>
    public string? Message { get; }

    [MemberNotNullWhen(true, nameof(PartitionKey))]
    public bool IsRouted => PartitionKey is not null;

    [MemberNotNullWhen(true, nameof(Message))]
    public bool IsUndeliverable => Reason != UndeliverableReason.None;

    public static RouteOutcome Routed(string partitionKey, RecordData data, int size) => new(partitionKey, data, size, UndeliverableReason.None, null);

    public static RouteOutcome Undeliverable(UndeliverableReason reason, string message)
    {
        if (reason == UndeliverableReason.None)
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "An undeliverable outcome needs a reason.");
        }

        return new(null, default, 0, reason, message);
    }

    public override string ToString() => IsRouted ? $"Routed({PartitionKey}, {Data.Length} bytes)" : $"{Reason}: {Message}";
}
