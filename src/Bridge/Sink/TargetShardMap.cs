using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Bridge.Aws.Kinesis;

namespace Bridge.Sink;

/// <summary>Which open target shard a partition key lands on: Kinesis maps MD5(key) into the shards' hash key ranges.</summary>
/// <remarks>Only used to steer per-shard flow control; a stale map misattributes throttling for a while but never affects order or delivery.</remarks>
public sealed class TargetShardMap
{
    private readonly UInt128[] _starts;
    private readonly string[] _shardIds;

    private TargetShardMap(UInt128[] starts, string[] shardIds)
    {
        _starts = starts;
        _shardIds = shardIds;
    }

    /// <summary>A map of one shard: used until the real one is known.</summary>
    public static TargetShardMap Single { get; } = new([UInt128.Zero], ["unknown"]);

    public int Count => _shardIds.Length;

    public static TargetShardMap FromShards(IEnumerable<KinesisShard> shards)
    {
        var open = shards
            .Where(s => s.EndingSequenceNumber is null)
            .Select(s => (Start: UInt128.Parse(s.StartingHashKey, System.Globalization.CultureInfo.InvariantCulture), s.ShardId))
            .OrderBy(s => s.Start)
            .ToArray();
        return open.Length == 0 ? Single : new TargetShardMap([.. open.Select(s => s.Start)], [.. open.Select(s => s.ShardId)]);
    }

    public string ShardIdAt(int index) => _shardIds[index];

    public int ShardOf(string partitionKey)
    {
        var hash = HashKeyOf(partitionKey);
        var index = Array.BinarySearch(_starts, hash);
        return index >= 0 ? index : Math.Max(0, ~index - 1);
    }

    /// <summary>The 128-bit hash key Kinesis derives from a partition key: MD5 of its UTF-8 bytes, big-endian.</summary>
    public static UInt128 HashKeyOf(string partitionKey)
    {
        Span<byte> utf8 = partitionKey.Length <= 256 ? stackalloc byte[partitionKey.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(partitionKey.Length)];
        var length = Encoding.UTF8.GetBytes(partitionKey, utf8);
        Span<byte> md5 = stackalloc byte[16];
        MD5.HashData(utf8[..length], md5);
        return BinaryPrimitives.ReadUInt128BigEndian(md5);
    }
}
