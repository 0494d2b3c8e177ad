using System.Security.Cryptography;
using System.Text;

namespace Bridge.Routing;

/// <summary>
/// Kinesis's limit on partition keys, and what the bridge does with a key past it.
/// </summary>
/// <remarks>
/// Kinesis rejects a partition key longer than <see cref="MaxLength"/> Unicode characters, yet every
/// record of one item must still get one key, or it would leave its shard and lose its order. So a
/// longer key is replaced by a stable digest of it (truncating would also be stable, but keys that share
/// a long prefix, like URLs, would all pile onto one shard):
/// <c>"sha256:" + lowercase hex SHA-256 of the key's UTF-8 bytes</c>, 71 characters. Every record of
/// one item still gets one key, so it still lands on one shard in order. Consumers that need the
/// original value read it from the record.
/// </remarks>
internal static class PartitionKeyLimit
{
    /// <summary>The longest partition key Kinesis accepts, in characters.</summary>
    /// <remarks>
    /// Counted in UTF-16 code units (<see cref="string.Length"/>), which is never less than the count of
    /// code points: if Kinesis counts code points we hash a few keys (of astral characters) that would
    /// have fitted, which is still correct; counting the other way could send a key Kinesis rejects.
    /// </remarks>
    public const int MaxLength = 256;

    public const string DigestPrefix = "sha256:";

    /// <summary>Length of a digest key: the prefix and 64 hex digits.</summary>
    public const int DigestLength = 71;

    /// <summary>The partition key for a key whose UTF-8 bytes are <paramref name="utf8Key"/>.</summary>
    /// <returns>The key itself when it fits, else its digest. Allocates only the returned string.</returns>
    public static string Fit(ReadOnlySpan<byte> utf8Key)
    {
        if (Encoding.UTF8.GetCharCount(utf8Key) <= MaxLength)
        {
            return Encoding.UTF8.GetString(utf8Key);
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8Key, digest);
        Span<char> key = stackalloc char[DigestLength];
        DigestPrefix.CopyTo(key);
        Convert.TryToHexStringLower(digest, key[DigestPrefix.Length..], out _);
        return new string(key);
    }

    /// <summary>The partition key for <paramref name="key"/>: itself when it fits, else the digest of its UTF-8 bytes.</summary>
    public static string Fit(string key) => key.Length <= MaxLength ? key : Fit(Encoding.UTF8.GetBytes(key));
}
