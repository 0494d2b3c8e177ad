using Amazon.CDK;
using Amazon.CDK.AWS.Ecr.Assets;
using Amazon.CDK.AWS.ECS;

namespace Bridge.Cdk;

/// <summary>The default worker image: built by <c>cdk deploy</c> from this repository's Dockerfile.</summary>
/// <remarks>
/// Synth never runs Docker: <c>FromAsset</c> only hashes the build context. That hash covers the
/// files the Dockerfile's ignore file lets in (the same file Docker reads), so a change to tests,
/// docs or cdk/ does not rebuild or redeploy the worker.
/// </remarks>
public static class WorkerImage
{
    /// <summary>The Dockerfile, relative to the repository root, which is the build context.</summary>
    public const string DockerfilePath = "src/Bridge.Host/Dockerfile";

    private const string RepositoryMarker = "Bridge.sln";

    public static ContainerImage FromRepository(CpuArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var root = FindRepositoryRoot();
        return ContainerImage.FromAsset(root, new AssetImageProps
        {
            File = DockerfilePath,
            Platform = architecture == CpuArchitecture.X86_64 ? Platform_.LINUX_AMD64 : Platform_.LINUX_ARM64,
            IgnoreMode = IgnoreMode.DOCKER,
            Exclude = File.ReadAllLines(Path.Combine(root, DockerfilePath + ".dockerignore"))
                .Select(line => line.Trim())
                .Where(line => line.Length > 0 && !line.StartsWith('#'))
                .ToArray(),
        });
    }

    /// <summary>
    /// <c>FromAsset</c> resolves paths against the working directory, which differs between
    /// <c>cdk synth</c> (repository root) and <c>dotnet test</c> (the test's bin folder); so find
    /// the root from both and never rely on either.
    /// </summary>
    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, RepositoryMarker)))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            $"No {RepositoryMarker} above '{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}': "
            + "outside the bridge repository, set DynamoDbKinesisBridgeProps.Image (e.g. ContainerImage.FromRegistry).");
    }
}
