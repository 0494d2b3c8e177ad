namespace Bridge.Aws.Protocol;

/// <summary>Where a shard iterator starts, as both streaming APIs spell it: the same four types, the same rule that only
/// the AT/AFTER types carry a sequence number.</summary>
internal static class IteratorStart
{
    /// <param name="type">A <c>ShardIteratorType</c> of either client; both name their members alike.</param>
    /// <returns>The wire name, once the sequence number is known to fit the type.</returns>
    public static string WireName<TType>(TType type, string? sequenceNumber)
        where TType : struct, Enum
    {
        var (wireName, positional) = type.ToString() switch
        {
            "TrimHorizon" => ("TRIM_HORIZON", false),
            "Latest" => ("LATEST", false),
            "AtSequenceNumber" => ("AT_SEQUENCE_NUMBER", true),
            "AfterSequenceNumber" => ("AFTER_SEQUENCE_NUMBER", true),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown iterator type."),
        };

        if (positional && string.IsNullOrEmpty(sequenceNumber))
        {
            throw new AwsRequestValidationException($"A {wireName} iterator needs a sequence number.");
        }

        if (!positional && sequenceNumber is not null)
        {
            throw new AwsRequestValidationException($"A {wireName} iterator takes no sequence number.");
        }

        return wireName;
    }
}
