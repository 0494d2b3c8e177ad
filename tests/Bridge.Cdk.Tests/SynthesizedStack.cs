using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Bridge.Cdk.App;

namespace Bridge.Cdk.Tests;

/// <summary>The app's stack synthesized from a set of <c>-c</c> values, as both a CDK Template and plain JSON.</summary>
internal sealed class SynthesizedStack
{
    public const string DefaultSources = "chat-messages:roomId,orders:customerId";

    private SynthesizedStack(Stack stack)
    {
        Template = Template.FromStack(stack);
        Json = JsonSerializer.SerializeToElement(Template.ToJSON());
    }

    public Template Template { get; }

    /// <summary>The whole template, for checks that the Match API can't express (e.g. "no statement anywhere has ...").</summary>
    public JsonElement Json { get; }

    /// <summary>Synthesizes with <see cref="DefaultSources"/> unless <paramref name="context"/> names other sources.</summary>
    public static SynthesizedStack FromContext(params (string Key, object Value)[] context) =>
        new(BuildStack(context));

    public static Stack BuildStack(params (string Key, object Value)[] context)
    {
        var values = new Dictionary<string, object> { ["sourceTables"] = DefaultSources };
        foreach (var (key, value) in context)
        {
            values[key] = value;
        }

        var app = new Amazon.CDK.App(new AppProps { Context = values });
        return new BridgeStack(app, BridgeSettings.FromContext(app.Node));
    }

    public static SynthesizedStack FromStack(Stack stack) => new(stack);

    public IEnumerable<JsonElement> Resources(string type) =>
        Json.GetProperty("Resources").EnumerateObject()
            .Select(resource => resource.Value)
            .Where(resource => resource.GetProperty("Type").GetString() == type);

    /// <summary>Every statement of every IAM policy in the template.</summary>
    public IEnumerable<PolicyStatementView> PolicyStatements() =>
        Json.GetProperty("Resources").EnumerateObject()
            .Where(resource => resource.Value.GetProperty("Type").GetString() == "AWS::IAM::Policy")
            .SelectMany(policy => policy.Value.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray()
                .Select(statement => new PolicyStatementView(policy.Name, statement)));
}
