using Amazon.CDK;
using Constructs;

namespace Bridge.Cdk;

/// <summary>A cdk-nag finding accepted on one resource, and why. <paramref name="AppliesTo"/> narrows a rule with
/// several findings per resource (IAM5's wildcard resources) to the ones named; a <c>regex:</c> prefix makes one a pattern.</summary>
public sealed record NagRule(string Id, string Reason, params string[] AppliesTo);

/// <summary>Writes accepted findings into a resource's template metadata, <c>cdk_nag: { rules_to_suppress: [...] }</c>,
/// where <c>cdk/nag/check.js</c> (CI) and a reviewer reading the deployed template find them.</summary>
/// <remarks>The C# app cannot run cdk-nag itself (its aws-cdk-lib is too old for cdk-nag 3), so the check reads the
/// synthesized template, and the reasons must travel in it. One call per resource: the metadata key is written whole.</remarks>
internal static class NagSuppressions
{
    public const string MetadataKey = "cdk_nag";

    public static void Add(IConstruct scope, params NagRule[] rules)
    {
        var resource = scope as CfnResource ?? scope.Node.DefaultChild as CfnResource
            ?? throw new ArgumentException($"{scope.Node.Path} is not a CloudFormation resource.", nameof(scope));
        if (resource.GetMetadata(MetadataKey) is not null)
        {
            throw new InvalidOperationException($"The accepted findings of {resource.Node.Path} must be declared in one place.");
        }

        resource.AddMetadata(MetadataKey, new Dictionary<string, object>
        {
            ["rules_to_suppress"] = rules.Select(rule =>
            {
                var entry = new Dictionary<string, object> { ["id"] = rule.Id, ["reason"] = rule.Reason };
                if (rule.AppliesTo.Length > 0)
                {
                    entry["applies_to"] = rule.AppliesTo;
                }

                return entry;
            }).ToArray(),
        });
    }
}
