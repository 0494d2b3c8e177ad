using Bridge.Aws.DynamoDbStreams;
using Bridge.Source;

namespace Bridge.Coordination;

/// <summary>How far a source shard has been forwarded.</summary>
/// <remarks>
/// A checkpoint only ever names a record that Kinesis acknowledged together with every earlier record
/// of its shard, which is why resuming right after it loses nothing.
/// </remarks>
public readonly record struct Checkpoint
{
    private const string ShardEndText = "SHARD_END";
    private const string LatestText = "LATEST";

    private Checkpoint(CheckpointKind kind, SequenceNumber sequence)
    {
        Kind = kind;
        Sequence = sequence;
    }

    public CheckpointKind Kind { get; }

    /// <summary>The last forwarded record; set only when <see cref="Kind"/> is <see cref="CheckpointKind.AfterSequence"/>.</summary>
    public SequenceNumber Sequence { get; }

    /// <summary>Every record of the shard is forwarded and the shard is closed: its children may start.</summary>
    public static Checkpoint ShardEnd { get; } = new(CheckpointKind.ShardEnd, default);

    /// <summary>Chosen at first start with <c>StartPosition=LATEST</c>; nothing read yet.</summary>
    public static Checkpoint Latest { get; } = new(CheckpointKind.Latest, default);

    public static Checkpoint After(SequenceNumber sequence) => new(CheckpointKind.AfterSequence, sequence);

    /// <summary>Where reading of the shard resumes; null once it is finished (nothing is left to read).</summary>
    public ShardStartPosition? ResumePosition => Kind switch
    {
        CheckpointKind.AfterSequence => ShardStartPosition.After(Sequence),
        CheckpointKind.Latest => ShardStartPosition.Latest,
        _ => null,
    };

    public static Checkpoint Parse(string text) => text switch
    {
        ShardEndText => ShardEnd,
        LatestText => Latest,
        _ => After(SequenceNumber.Parse(text)),
    };

    public override string ToString() => Kind switch
    {
        CheckpointKind.ShardEnd => ShardEndText,
        CheckpointKind.Latest => LatestText,
        _ => Sequence.Value,
    };
}

public enum CheckpointKind
{
    AfterSequence,
    ShardEnd,
    Latest,
}
