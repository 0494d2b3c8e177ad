using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.Ordering;
using Bridge.Output;
using Bridge.Sink;
using Bridge.Source;
using Bridge.Telemetry;

namespace Bridge.Forwarding;

/// <summary>The bridge's configuration, section <c>Bridge</c>. Every key is documented in docs/configuration.md.</summary>
/// <remarks>Sections are marked <see cref="ValidateObjectMembersAttribute"/>: without it, data-annotation validation
/// stops at this object and the ranges declared on the sections' properties are never checked.</remarks>
public sealed class BridgeOptions
{
    public const string SectionName = "Bridge";

    /// <summary>The tables (or streams) to forward; at least one.</summary>
    public List<SourceOptions> Sources { get; set; } = [];

    [ValidateObjectMembers]
    public TargetOptions Target { get; set; } = new();

    [ValidateObjectMembers]
    public CheckpointOptions Checkpoints { get; set; } = new();

    /// <summary>How several workers share the shards (one lease per shard, in the checkpoint table).</summary>
    [ValidateObjectMembers]
    public LeaseOptions Leases { get; set; } = new();

    /// <summary><c>TRIM_HORIZON</c> (default: everything the stream still holds), <c>LATEST</c> (only changes from now on), for shards
    /// with no checkpoint at first start; or <c>Snapshot</c>: a source with no checkpoints is scanned first (every item, as an INSERT
    /// record), then its stream is forwarded from TRIM_HORIZON, so no change made after the scan began is missed.</summary>
    public string StartPosition { get; set; } = "TRIM_HORIZON";

    /// <summary>How tables are scanned, for <c>StartPosition = Snapshot</c> and the <c>backfill</c> command.</summary>
    [ValidateObjectMembers]
    public BackfillOptions Backfill { get; set; } = new();

    public UndeliverableAction OnUndeliverable { get; set; } = UndeliverableAction.Block;

    /// <summary>Required when <see cref="OnUndeliverable"/> is <see cref="UndeliverableAction.DeadLetter"/>.</summary>
    [ValidateObjectMembers]
    public DeadLetterOptions DeadLetter { get; set; } = new();

    [ValidateObjectMembers]
    public ReaderOptions Reading { get; set; } = new();

    [ValidateObjectMembers]
    public SinkOptions Sink { get; set; } = new();

    /// <summary>Per-key order across shards and tables (<c>Merge</c>), or within a shard lineage (<c>Shard</c>, default).</summary>
    [ValidateObjectMembers]
    public OrderingOptions Ordering { get; set; } = new();

    /// <summary>How often each stream's shard list is read again, as a backstop to finding children at SHARD_END.</summary>
    public TimeSpan DiscoveryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>From SIGTERM to exit: drain in-flight writes and checkpoint within this (ECS allows 30 s by default).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Exporters of the bridge's metrics; read by the host only.</summary>
    [ValidateObjectMembers]
    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>The liveness/readiness endpoint; read by the host only.</summary>
    [ValidateObjectMembers]
    public HealthOptions Health { get; set; } = new();

    /// <summary>Undeliverable or late records go to <see cref="DeadLetter"/>'s stream.</summary>
    public bool UsesDeadLetter => OnUndeliverable == UndeliverableAction.DeadLetter || (Ordering.IsMerge && Ordering.OnLate == LateRecordAction.DeadLetter);

    public bool StartAtLatest => string.Equals(StartPosition, "LATEST", StringComparison.OrdinalIgnoreCase);

    public bool StartWithSnapshot => string.Equals(StartPosition, "Snapshot", StringComparison.OrdinalIgnoreCase);
}

public sealed class SourceOptions
{
    /// <summary>A table whose current stream is forwarded. Give this or <see cref="StreamArn"/>.</summary>
    public string? TableName { get; set; }

    /// <summary>A stream ARN, when a specific stream is wanted; read instead of the table's current stream when both are given.</summary>
    public string? StreamArn { get; set; }

    /// <summary>Attribute name or dotted path into a map (<c>roomId</c>, <c>meta.tenant</c>) whose value becomes the Kinesis
    /// partition key, or a template of <c>{path}</c> parts and text (<c>{tenant}#{roomId}</c>).</summary>
    [Required]
    public string PartitionKey { get; set; } = "";

    /// <summary>Merge mode: the attribute (or dotted path) holding the change's time as its writer stamped it, epoch
    /// milliseconds (N) or ISO-8601 (S); without it, the record's <c>ApproximateCreationDateTime</c>.</summary>
    public string? OrderBy { get; set; }

    /// <summary>A regular expression with a group named <c>key</c>, applied to what <see cref="PartitionKey"/> produced; the group is the key.</summary>
    public string? PartitionKeyPattern { get; set; }

    /// <summary>EventBridge / Lambda <c>FilterCriteria</c> pattern JSON (one object, or an array of them: OR); records no pattern matches are not forwarded.</summary>
    public string? Filter { get; set; }

    /// <summary>A MODIFY whose only changed attributes are these is not forwarded (needs a NEW_AND_OLD_IMAGES stream).</summary>
    public List<string> IgnoreModifiesOf { get; set; } = [];

    /// <summary>Which images the forwarded records carry: <c>Both</c> (default), <c>New</c>, <c>Old</c> or <c>KeysOnly</c>.</summary>
    public ImageSelection Images { get; set; } = ImageSelection.Both;

    /// <summary>When given, only these attributes of each image are forwarded.</summary>
    public List<string> IncludeAttributes { get; set; } = [];

    /// <summary>These attributes of each image are not forwarded.</summary>
    public List<string> ExcludeAttributes { get; set; } = [];

    /// <summary>The shape of this source's forwarded records, in the target's <paramref name="format"/>.</summary>
    internal OutputShape Shape(OutputFormat format) =>
        format == OutputFormat.StreamRecord && Images == ImageSelection.Both && IncludeAttributes.Count == 0 && ExcludeAttributes.Count == 0
            ? OutputShape.Default
            : new OutputShape(format, Images, IncludeAttributes.Count == 0 ? null : IncludeAttributes.ToHashSet(StringComparer.Ordinal), ExcludeAttributes.Count == 0 ? null : ExcludeAttributes.ToHashSet(StringComparer.Ordinal));
}

public sealed class TargetOptions
{
    /// <summary>Target Kinesis stream, by name or ARN.</summary>
    [Required]
    public string StreamName { get; set; } = "";

    /// <summary><c>StreamRecord</c> (default), <c>KinesisDataStreamsForDynamoDB</c> or <c>Lambda</c>: the shape of the records written.</summary>
    public OutputFormat Format { get; set; } = OutputFormat.StreamRecord;

    /// <summary><c>None</c> (default) or <c>Kpl</c>: pack a key's consecutive records into KPL aggregated records.</summary>
    public RecordAggregation Aggregation { get; set; } = RecordAggregation.None;

    /// <summary>Largest aggregate, data plus partition key (the KPL's default, 50 KiB); at most <c>Bridge:Sink:MaxRecordBytes</c>.</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public int MaxAggregateBytes { get; set; } = 50 * 1024;

    /// <summary>The packing the target's sink uses, or null for one record per entry.</summary>
    internal KplAggregation? KplAggregation => Aggregation == RecordAggregation.Kpl ? new KplAggregation(MaxAggregateBytes) : null;
}

public sealed class DeadLetterOptions
{
    /// <summary>Kinesis stream (name or ARN) that receives undeliverable records, wrapped with the reason.</summary>
    public string? StreamName { get; set; }
}
