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

}
