using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Source;

/// <summary>Where reading of a shard begins.</summary>
public readonly record struct ShardStartPosition(ShardStartKind Kind, SequenceNumber Sequence)
{
    public static ShardStartPosition TrimHorizon { get; } = new(ShardStartKind.TrimHorizon, default);

    public static ShardStartPosition Latest { get; } = new(ShardStartKind.Latest, default);

    public static ShardStartPosition After(SequenceNumber sequence) => new(ShardStartKind.AfterSequence, sequence);

    public override string ToString() => Kind == ShardStartKind.AfterSequence ? $"after {Sequence}" : Kind.ToString();
}

public enum ShardStartKind
{
    TrimHorizon,
    Latest,
    AfterSequence,
}
