using System.Security.Cryptography;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;

namespace Bridge.Aws.Protocol;

/// <summary>Adds SigV4 headers to one request, with credentials that are current at that moment.</summary>
/// <remarks>
/// The credential <em>source</em> is resolved once (the default chain walks environment, profiles, web identity,
/// SSO, container and instance roles); the <see cref="AWSCredentials"/> it returns caches keys until they expire and
/// then refreshes them, and the signer asks it on every request, so rotated role keys are picked up.
/// The payload hash is computed here from the caller's span so a pooled body needs no copy into a <c>byte[]</c>.
/// </remarks>
internal sealed class RequestSigner
{
    private readonly AWSCredentials? _explicitCredentials;
    private readonly DefaultAWSCredentialsIdentityResolver _defaultChain = new();

    /// <summary>The source being or already resolved: null until the first request, replaced when it faulted so a
    /// transient failure (e.g. the metadata endpoint was not up yet) is not remembered forever.</summary>
    private Task<AWSCredentials>? _credentials;
    private readonly RegionEndpoint _region;
    private readonly string _signingName;
    private readonly TimeProvider _time;

    public RequestSigner(AWSCredentials? credentials, string region, string signingName, TimeProvider time)
    {
        _explicitCredentials = credentials;
        _region = RegionEndpoint.GetBySystemName(region);
        _signingName = signingName;
        _time = time;
    }

    public async ValueTask SignAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var signing = new AWSSigningRequest { HttpMethod = request.Method, RequestUri = uri };
        signing.Headers["Host"] = uri.Authority;
        signing.Headers["X-Amz-Content-SHA256"] = PayloadHash(body.Span);
        foreach (var header in request.Headers)
        {
            signing.Headers[header.Key] = string.Join(',', header.Value);
        }

        // Only the content type is signed from the content headers: Content-Length is computed by the handler later.
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            signing.Headers["Content-Type"] = contentType.ToString();
        }

        var parameters = new AWSSigV4Parameters
        {
            Credentials = await CredentialSourceAsync().WaitAsync(cancellationToken).ConfigureAwait(false),
            Region = _region,
            Service = _signingName,
            SignPayload = true,
            SignedAt = _time.GetUtcNow().UtcDateTime,
        };
        var signed = await AWSSigV4Signer.SignAsync(signing, parameters, cancellationToken).ConfigureAwait(false);
        foreach (var (name, value) in signed.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static string PayloadHash(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return Convert.ToHexStringLower(hash);
    }

    private Task<AWSCredentials> CredentialSourceAsync()
    {
        var source = _credentials;
        if (source is null || source.IsFaulted || source.IsCanceled)
        {
            // Two racing first calls may both resolve; either result is the same chain, so no lock is needed.
            source = _explicitCredentials is { } credentials
                ? Task.FromResult(credentials)
                : _defaultChain.ResolveIdentityAsync(null!, CancellationToken.None);
            _credentials = source;
        }

        return source;
    }
}
