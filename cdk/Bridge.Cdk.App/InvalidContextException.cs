namespace Bridge.Cdk.App;

/// <summary>A <c>-c key=value</c> the app cannot use; its message names the key and what would be accepted.</summary>
public sealed class InvalidContextException : Exception
{
    public InvalidContextException()
    {
    }

    public InvalidContextException(string message)
        : base(message)
    {
    }

    public InvalidContextException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
