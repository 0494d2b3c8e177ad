using System.Globalization;
using System.Net;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Protocol;
using Bridge.Benchmarks.Workload;

namespace Bridge.Benchmarks.Simulation;

/// <summary>A DynamoDB stream in process, with the service's limits: each shard is written at a fixed rate, and
/// GetRecords answers at most 1000 records after a fixed latency.</summary>
/// <remarks>
/// <para>Answers are built as wire bytes (records from a pool of realistic ones, each given its shard's next sequence
/// number) and decoded by the real <see cref="StreamRecordsDecoder"/>, so the worker pays the decoding it pays against
/// AWS; it does not pay for HTTP, TLS or signing.</para>
/// <para>DynamoDB Streams sets no per-second limit on GetRecords (its limit is two readers per shard at once, which one
/// worker never exceeds), so none is simulated. Iterators are <c>shard|position</c>.</para>
/// </remarks>
internal sealed class SimulatedStream : IDynamoDbStreamsClient
{
    public const string Arn = StreamRecordWorkload.StreamArn;

    private const int SequenceDigits = 21;

    /// <summary>Digits of <see cref="StreamRecordWorkload.Room"/>: keys up to 100 000.</summary>
    private const int RoomDigits = 5;

    private readonly SimulatedShard[] _shards;
    private readonly byte[][] _pool;
    private readonly int[] _sequenceOffsets;
    private readonly int[][] _roomOffsets;
    private readonly int _keys;
    private readonly TimeProvider _time;
    private readonly long _start;

    /// <param name="recordsPerSecond">Writes per second each shard receives, from construction on.</param>
    /// <param name="backlog">Records each shard already holds at construction.</param>
    /// <param name="maxRecords">Records each shard receives in all; the rate stops there.</param>
    /// <param name="keys">Distinct partition keys (<c>roomId</c>s): record <c>p</c> of shard <c>s</c> has key
    /// <c>(s × 7919 + p) mod keys</c>, so every shard writes every key in turn.</param>
    public SimulatedStream(int shards, double recordsPerSecond, int recordBytes, TimeProvider time, int backlog = 0, long maxRecords = long.MaxValue, int keys = 10_000)
    {
        _time = time;
        _start = time.GetTimestamp();
        RecordsPerSecond = recordsPerSecond;
        Backlog = backlog;
        MaxRecords = maxRecords;
        _shards = [.. Enumerable.Range(0, shards).Select(i => new SimulatedShard(i, $"shardId-00000001795000000000-{i:x8}"))];
        _keys = keys;
        _pool = [.. Enumerable.Range(0, 1000).Select(i => StreamRecordWorkload.Record(i, StreamRecordWorkload.Room(0), recordBytes))];
        _sequenceOffsets = [.. _pool.Select(SequenceOffset)];
        _roomOffsets = [.. _pool.Select(RoomOffsets)];
        RecordBytes = (int)_pool.Average(r => r.Length);
    }

    public double RecordsPerSecond { get; }

    public int Backlog { get; }

    public long MaxRecords { get; }

    /// <summary>Average size of a record, in bytes.</summary>
    public int RecordBytes { get; }

    /// <summary>GetRecords latency.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(20);


    /// <summary>Records written to all shards so far.</summary>
    public long Written() => _shards.Length * WrittenPerShard();

    public Task<ListStreamsPage> ListStreamsAsync(string? tableName, string? exclusiveStartStreamArn, CancellationToken cancellationToken) =>
        Task.FromResult(new ListStreamsPage([new StreamSummary(Arn, StreamRecordWorkload.TableName, "2026-11-27T00:00:00.000")], null));

    public Task<StreamDescription> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken)
    {
        // No splits in this simulation: a CHILD_SHARDS question has no answer, and everything fits one page.
        var shards = request.ChildShardsOf is not null
            ? []
            : _shards.Select(s => new StreamShard(s.ShardId, null, "100000000000000000000", null)).ToList();
        return Task.FromResult(new StreamDescription(Arn, StreamRecordWorkload.TableName, "ENABLED", "NEW_AND_OLD_IMAGES", shards, null));
    }

    public Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken cancellationToken)
    {
        var position = type switch
        {
            ShardIteratorType.TrimHorizon => 0,
            ShardIteratorType.Latest => WrittenPerShard(),
            ShardIteratorType.AtSequenceNumber => PositionOf(sequenceNumber!),
            _ => PositionOf(sequenceNumber!) + 1,
        };
        return Task.FromResult(Iterator(Find(shardId), position));
    }

    public async Task<GetRecordsPage> GetRecordsAsync(string shardIterator, int limit, AttributePath? locate, CancellationToken cancellationToken)
    {
        var separator = shardIterator.IndexOf('|', StringComparison.Ordinal);
        var shard = Find(shardIterator[..separator]);
        var position = long.Parse(shardIterator.AsSpan(separator + 1), CultureInfo.InvariantCulture);
        await Task.Delay(Latency, _time, cancellationToken).ConfigureAwait(false);
        var count = (int)Math.Clamp(WrittenPerShard() - position, 0, Math.Min(limit, 1000));
        var page = StreamRecordsDecoder.Decode(Answer(shard, position, count), locate);
        return page with { NextShardIterator = Iterator(shard, position + count) };
    }

    private long WrittenPerShard()
    {
        var elapsed = _time.GetElapsedTime(_start).TotalSeconds;
        return Math.Min(MaxRecords, Backlog + (long)(elapsed * RecordsPerSecond));
    }

    /// <summary>The wire bytes of a GetRecords answer holding records [position, position + count) of a shard.</summary>
    private byte[] Answer(SimulatedShard shard, long position, int count)
    {
        var size = 64;
        for (var i = 0; i < count; i++)
        {
            size += _pool[(position + i) % _pool.Length].Length + 1;
        }

        var answer = new byte[size];
        var writer = new Span<byte>(answer);
        var at = Put(writer, """{"Records":["""u8, 0);
        for (var i = 0; i < count; i++)
        {
            var index = (int)((position + i) % _pool.Length);
            if (i > 0)
            {
                at = Put(writer, ","u8, at);
            }

            var start = at;
            at = Put(writer, _pool[index], at);
            // Every record gets its shard's own increasing sequence number, in the pool record's digits.
            var sequence = writer.Slice(start + _sequenceOffsets[index], SequenceDigits);
            (100000000000000000000m + position + i).TryFormat(sequence, out _, default, CultureInfo.InvariantCulture);
            var room = (int)(((shard.Index * 7919L) + position + i) % _keys);
            foreach (var offset in _roomOffsets[index])
            {
                room.TryFormat(writer.Slice(start + offset, RoomDigits), out _, "D5", CultureInfo.InvariantCulture);
            }
        }

        at = Put(writer, """],"NextShardIterator":"x"}"""u8, at);
        return answer[..at];
    }

    private static int Put(Span<byte> to, ReadOnlySpan<byte> bytes, int at)
    {
        bytes.CopyTo(to[at..]);
        return at + bytes.Length;
    }

    private static int SequenceOffset(byte[] record)
    {
        var at = record.AsSpan().IndexOf("\"SequenceNumber\":\""u8);
        return at >= 0 ? at + "\"SequenceNumber\":\"".Length : throw new InvalidOperationException("record without SequenceNumber");
    }

    private static int[] RoomOffsets(byte[] record)
    {
        var offsets = new List<int>();
        var marker = "\"room-"u8;
        for (var at = record.AsSpan().IndexOf(marker); at >= 0;)
        {
            offsets.Add(at + marker.Length);
            var next = record.AsSpan(at + 1).IndexOf(marker);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return [.. offsets];
    }

    private static long PositionOf(string sequenceNumber) => (long)(decimal.Parse(sequenceNumber, CultureInfo.InvariantCulture) - 100000000000000000000m);

    private static string Iterator(SimulatedShard shard, long position) => shard.ShardId + "|" + position.ToString(CultureInfo.InvariantCulture);

    private SimulatedShard Find(string shardId) =>
        Array.Find(_shards, s => s.ShardId == shardId) ?? throw new ResourceNotFoundException($"Shard {shardId} not found.", HttpStatusCode.BadRequest, "sim");

    private sealed record SimulatedShard(int Index, string ShardId);
}
