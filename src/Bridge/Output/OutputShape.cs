using Bridge.Routing;

namespace Bridge.Output;

/// <summary>What a source's forwarded records look like: the target's format and the source's projection.</summary>
/// <param name="Include">When set, only these attributes of each image are kept.</param>
/// <param name="Exclude">When set, these attributes of each image are dropped.</param>
internal sealed record OutputShape(OutputFormat Format, ImageSelection Images = ImageSelection.Both, IReadOnlySet<string>? Include = null, IReadOnlySet<string>? Exclude = null)
{
    public static readonly OutputShape Default = new(OutputFormat.StreamRecord);

    /// <summary>The images are forwarded as they came.</summary>
    public bool KeepsImages => Images == ImageSelection.Both && Include is null && Exclude is null;

    /// <summary>The encoder of one source shard: the record's own bytes plus added fields when nothing is reshaped
    /// (no copy, no parse), otherwise a re-serialising one.</summary>
    public IRecordEncoder CreateEncoder(string tableName, string eventSourceArn, string sourceShardId) =>
        KeepsImages && Format != OutputFormat.KinesisDataStreamsForDynamoDB
            ? new OutputRecordEncoder(tableName, eventSourceArn, sourceShardId, Format)
            : new ReshapingEncoder(this, tableName, eventSourceArn, sourceShardId);

    /// <summary>Whether the image attribute <paramref name="name"/> is forwarded.</summary>
    public bool Keeps(string name) => (Include is null || Include.Contains(name)) && (Exclude is null || !Exclude.Contains(name));
}
