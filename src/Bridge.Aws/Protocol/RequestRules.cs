namespace Bridge.Aws.Protocol;

/// <summary>The API limits shared by several operations, checked before a request is built so a broken request is
/// never sent (and never retried).</summary>
internal static class RequestRules
{
    public static void NotEmpty(string? value, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new AwsRequestValidationException($"{what} must not be empty.");
        }
    }

    public static void InRange(int value, int min, int max, string what)
    {
        if (value < min || value > max)
        {
            throw new AwsRequestValidationException($"{what} must be within {min}..{max} (was {value}).");
        }
    }

    /// <param name="positional">True for AT_/AFTER_SEQUENCE_NUMBER, which need a sequence number; the others take none.</param>
    public static void SequenceNumberMatchesIteratorType(bool positional, string? sequenceNumber, string type)
    {
        if (positional && string.IsNullOrEmpty(sequenceNumber))
        {
            throw new AwsRequestValidationException($"A {type} iterator needs a sequence number.");
        }

        if (!positional && sequenceNumber is not null)
        {
            throw new AwsRequestValidationException($"A {type} iterator takes no sequence number.");
        }
    }
}
