using System.Security.Cryptography;
using System.Text;
using Bridge.Coordination;

namespace Bridge.Ordering;

/// <summary>Merge mode's one lease for all merged sources: merging needs every shard in one process, so one worker
/// holds this lease and every shard lease, and the others stand by.</summary>
/// <remarks>Stored in the lease table beside the shard leases, under a stream name no DynamoDB stream ARN can have. Its
/// id is a hash of the merged stream ARNs, so deployments merging different sources into one table do not collide.</remarks>
internal static class MergeGroup
{
    public const string StreamArn = "bridge:merge-group";

    public static string KeyOf(IEnumerable<string> streamArns)
    {
        var joined = string.Join('\n', streamArns.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)))[..16];
        return Lease.KeyOf(StreamArn, id);
    }

    public static Lease NewLease(string key) => Lease.New(StreamArn, key[(StreamArn.Length + 1)..], parentShardId: null);
}
