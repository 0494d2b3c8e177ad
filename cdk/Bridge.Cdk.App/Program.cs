using Amazon.CDK;

namespace Bridge.Cdk.App;

/// <summary>The CDK app: <c>npx --prefix cdk cdk synth -c sourceTables=TABLE:KEY ...</c> (see docs/deploy.md).</summary>
internal static class Program
{
    private static int Main()
    {
        var app = new Amazon.CDK.App();
        try
        {
            _ = new BridgeStack(app, BridgeSettings.FromContext(app.Node));
        }
        catch (Exception e) when (e is InvalidContextException or ArgumentException)
        {
            // A plain message, not a stack trace: the cause is one of the user's -c values
            // (ArgumentException: a value the construct itself rejects, such as a cpu/memory pair).
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }

        app.Synth();
        return 0;
    }
}
