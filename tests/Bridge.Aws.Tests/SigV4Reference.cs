using System.Security.Cryptography;
using System.Text;

namespace Bridge.Aws.Tests;

/// <summary>An independent SigV4 calculation written from the specification, for checking the SDK glue.</summary>
/// <remarks>It is itself checked against the published test-suite answers (see <see cref="SigV4Tests"/>), so when it
/// agrees with a signature our client sent, that signature is right.</remarks>
internal static class SigV4Reference
{
    public const string AccessKey = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// <param name="headers">The signed headers, any case; values are trimmed as the spec requires.</param>
    public static (string SignedHeaders, string Signature) Sign(
        string method, string path, string query, IEnumerable<KeyValuePair<string, string>> headers, string payloadHash,
        string amzDate, string region, string service, string secretKey = SecretKey)
    {
        var canonicalHeaders = headers
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(' ', h.Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        var signedHeaders = string.Join(';', canonicalHeaders.Select(h => h.Name));
        var canonicalQuery = string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        var canonicalRequest = string.Join('\n',
            method,
            path,
            canonicalQuery,
            string.Concat(canonicalHeaders.Select(h => $"{h.Name}:{h.Value}\n")),
            signedHeaders,
            payloadHash);

        var date = amzDate[..8];
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secretKey);
        foreach (var part in (string[])[date, region, service, "aws4_request"])
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return (signedHeaders, Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign))));
    }

    public static string PayloadHash(ReadOnlySpan<byte> body) => Hex(SHA256.HashData(body));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
