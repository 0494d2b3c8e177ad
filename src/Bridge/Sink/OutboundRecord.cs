using System.Text;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Coordination;
using Bridge.Source;

namespace Bridge.Sink;

/// <summary>A routed record on its way to Kinesis, and where to acknowledge it: its shard's progress.</summary>
public sealed class OutboundRecord
{
    /// <param name="size">Data plus partition key UTF-8 bytes, when the caller has counted them already.</param>
    /// <param name="orderKey">The key whose records the sink keeps in order, one in flight at a time: the partition key
    /// unless given. A record that needs no order with the others of its partition key (a backfill's item, a state
    /// rather than a change) gets a key of its own, so it does not wait behind them.</param>
    public OutboundRecord(SourceShard source, SequenceNumber sequence, string partitionKey, RecordData data, DateTimeOffset createdAt, ShardProgress progress, int? size = null, string? orderKey = null)
    {
        OrderKey = orderKey ?? partitionKey;
        Source = source;
        Sequence = sequence;
        PartitionKey = partitionKey;
        Data = data;
        CreatedAt = createdAt;
        Progress = progress;
        Size = size ?? data.Length + Encoding.UTF8.GetByteCount(partitionKey);
    }

    public SourceShard Source { get; }

    public SequenceNumber Sequence { get; }

    public string PartitionKey { get; }

    /// <summary>The sink's unit of order: records of one order key go to Kinesis one entry at a time, in append order.</summary>
    public string OrderKey { get; }

    /// <summary>Usually a slice of the GetRecords answer it came in, which it keeps alive until acknowledged.</summary>
    public RecordData Data { get; }

    /// <summary>When the change happened in the table (<c>ApproximateCreationDateTime</c>), for lag and latency.</summary>
    public DateTimeOffset CreatedAt { get; }

    public ShardProgress Progress { get; }

    /// <summary>The item it is a state of, when an on-demand backfill's <c>ItemOrderGate</c> may have to check it (Merge
    /// mode with <c>OrderBy</c>); null otherwise.</summary>
    internal Backfill.GatedItem? Item { get; init; }

    /// <summary>Position in <see cref="Progress"/>; assigned when the sink accepts the record.</summary>
    public long Ticket { get; internal set; }

    /// <summary>What Kinesis counts against its record and request limits: data plus partition key bytes.</summary>
    public int Size { get; }

    /// <summary>Index in the sink's target shard map; set by the sink when the record is queued.</summary>
    internal int TargetShard { get; set; }

    /// <summary>Failed attempts so far; drives the retry backoff.</summary>
    internal int FailedAttempts { get; set; }
}
