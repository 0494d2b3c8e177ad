using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Backfill;

/// <summary>A per-item record of order values that <see cref="FloorRebuild"/> can fill from the stream after a crash:
/// the <see cref="SnapshotFloor"/> of a snapshot start, or the <see cref="ItemOrderGate"/> of an on-demand run.</summary>
internal interface IOrderFloor
{
    /// <summary>Items it holds now.</summary>
    int Count { get; }

    /// <summary>Raises the record's item to the record's order value.</summary>
    /// <returns>False with a reason when the record has no usable order value (it raises nothing).</returns>
    bool TryRaise(in StreamRecord record, out string? problem);
}
