using Amazon.Runtime.CredentialManagement;

namespace Bridge.Aws.Protocol;

/// <summary>Where a service is reached and in which region its requests are signed.</summary>
/// <remarks>
/// Precedence follows the AWS SDKs: explicit configuration first (<see cref="AwsClientOptions.ServiceUrls"/>, then
/// <see cref="AwsClientOptions.ServiceUrl"/>), then the per-service environment variable, then <c>AWS_ENDPOINT_URL</c>,
/// then the public regional endpoint.
/// </remarks>
internal sealed record AwsEndpoint(Uri Url, string Region)
{
    /// <summary>Reads the process environment.</summary>
    public static readonly Func<string, string?> ProcessEnvironment = Environment.GetEnvironmentVariable;

    public static AwsEndpoint Resolve(AwsClientOptions options, AwsService service, Func<string, string?> environment)
    {
        var region = ResolveRegion(options, environment);
        var url = FromOptions(options, service)
            ?? FromEnvironment(environment, service.EndpointEnvironmentVariable)
            ?? FallbackFromEnvironment(environment, service)
            ?? FromEnvironment(environment, "AWS_ENDPOINT_URL")
            ?? PublicEndpoint(service, region);
        return new AwsEndpoint(url, region);
    }

    public static string ResolveRegion(AwsClientOptions options, Func<string, string?> environment)
    {
        var region = NonEmpty(options.Region)
            ?? NonEmpty(environment("AWS_REGION"))
            ?? NonEmpty(environment("AWS_DEFAULT_REGION"))
            ?? ProfileRegion(environment);
        return region ?? throw new AwsConfigurationException(
            "No AWS region: set Aws:Region (AwsClientOptions.Region), AWS_REGION, AWS_DEFAULT_REGION or a region in the AWS profile.");
    }

    private static Uri? FromOptions(AwsClientOptions options, AwsService service)
    {
        if (options.ServiceUrls.TryGetValue(service.ConfigKey, out var url))
        {
            return url;
        }

        if (service.FallbackConfigKey is { } fallback && options.ServiceUrls.TryGetValue(fallback, out url))
        {
            return url;
        }

        return options.ServiceUrl;
    }

    private static Uri? FallbackFromEnvironment(Func<string, string?> environment, AwsService service) =>
        service.FallbackConfigKey is { } key && AwsService.ByConfigKey(key) is { } fallback
            ? FromEnvironment(environment, fallback.EndpointEnvironmentVariable)
            : null;

    private static Uri? FromEnvironment(Func<string, string?> environment, string variable) =>
        NonEmpty(environment(variable)) is { } value ? new Uri(value, UriKind.Absolute) : null;

    private static Uri PublicEndpoint(AwsService service, string region)
    {
        var suffix = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new Uri($"https://{service.EndpointPrefix}.{region}.{suffix}/");
    }

    private static string? ProfileRegion(Func<string, string?> environment)
    {
        var profileName = NonEmpty(environment("AWS_PROFILE")) ?? "default";
        return new CredentialProfileStoreChain().TryGetProfile(profileName, out var profile) ? profile.Region?.SystemName : null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
