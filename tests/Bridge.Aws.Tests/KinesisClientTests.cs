using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Bridge.Aws.Kinesis;
using Bridge.Aws.Protocol;
using Bridge.Testing;

namespace Bridge.Aws.Tests;

/// <summary>The Kinesis client over the wire against kinesalite, which validates and routes like the service.</summary>
public sealed class KinesisClientTests(KinesaliteFixture kinesalite) : IClassFixture<KinesaliteFixture>, IDisposable
{
    private readonly FaultInjectingHandler _wire = new();
    private readonly List<AwsClientFactory> _factories = [];

    public void Dispose()
    {
        _factories.ForEach(f => f.Dispose());
        _wire.Dispose();
    }

    [Fact]
    public async Task Creates_describes_lists_and_deletes_a_stream()
    {
        var client = Client();
        var stream = await NewActiveStreamAsync(client, shards: 3);

        var summary = await client.DescribeStreamSummaryAsync(stream, CancellationToken.None);
        Assert.Equal(stream.Name, summary.StreamName);
        Assert.Equal(3, summary.OpenShardCount);
        Assert.StartsWith("arn:aws:kinesis:", summary.StreamArn, StringComparison.Ordinal);
        Assert.Equal(24, summary.RetentionPeriodHours);

        var shards = await client.ListAllShardsAsync(stream, CancellationToken.None);
        Assert.Equal(3, shards.Count);
        Assert.Equal("0", shards[0].StartingHashKey);
        Assert.Equal((BigInteger.One << 128) - 1, BigInteger.Parse(shards[^1].EndingHashKey));
        Assert.All(shards, s => Assert.Null(s.EndingSequenceNumber));

        await client.DeleteStreamAsync(stream.Name!, CancellationToken.None);
        // Deletion finishes asynchronously: the stream is DELETING until it is gone.
        for (var polls = 0; ; polls++)
        {
            try
            {
                Assert.Equal("DELETING", (await client.DescribeStreamSummaryAsync(stream, CancellationToken.None)).StreamStatus);
            }
            catch (ResourceNotFoundException)
            {
                break;
            }

            Assert.True(polls < 100, "The deleted stream never went away.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task PutRecords_round_trips_binary_data_to_the_shard_that_owns_each_key()
    {
        var client = Client();
        var stream = await NewActiveStreamAsync(client, shards: 2);
        var entries = Enumerable.Range(0, 500)
            .Select(i => new PutRecordsEntry($"key-{i % 37}", new byte[] { 0, 255, (byte)i, (byte)(i >> 8), 0x80 }))
            .ToArray();

        var result = await client.PutRecordsAsync(stream, entries, CancellationToken.None);

        Assert.Equal(0, result.FailedRecordCount);
        Assert.Equal(500, result.Records.Length);
        Assert.All(result.Records, r => Assert.True(r.Succeeded));
        var shards = await client.ListAllShardsAsync(stream, CancellationToken.None);
        for (var i = 0; i < entries.Length; i++)
        {
            Assert.Equal(OwnerOf(shards, HashKeyOf(entries[i].PartitionKey)), result.Records[i].ShardId);
        }

        var read = new List<KinesisRecord>();
        foreach (var shard in shards)
        {
            read.AddRange(await ReadShardAsync(client, stream, shard.ShardId, KinesisIteratorType.TrimHorizon, null));
        }

        var bySequence = read.ToDictionary(r => r.SequenceNumber);
        for (var i = 0; i < entries.Length; i++)
        {
            var record = bySequence[result.Records[i].SequenceNumber!];
            Assert.Equal(entries[i].PartitionKey, record.PartitionKey);
            Assert.Equal(entries[i].Data.ToArray(), record.Data.ToArray());
            Assert.NotNull(record.ApproximateArrivalTimestamp);
        }
    }

    [Fact]
    public async Task PutRecord_honours_an_explicit_hash_key_and_positional_iterators_start_at_it()
    {
        var client = Client();
        var stream = await NewActiveStreamAsync(client, shards: 2);
        var shards = await client.ListAllShardsAsync(stream, CancellationToken.None);
        var second = shards[1];

        var first = await client.PutRecordAsync(stream, new PutRecordsEntry("k", "one"u8.ToArray(), second.StartingHashKey), CancellationToken.None);
        var next = await client.PutRecordAsync(stream, new PutRecordsEntry("k", "two"u8.ToArray(), second.StartingHashKey), CancellationToken.None);

        Assert.Equal(second.ShardId, first.ShardId);
        var at = await ReadShardAsync(client, stream, second.ShardId, KinesisIteratorType.AtSequenceNumber, first.SequenceNumber);
        var after = await ReadShardAsync(client, stream, second.ShardId, KinesisIteratorType.AfterSequenceNumber, first.SequenceNumber);
        Assert.Equal(["one", "two"], at.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.Equal(next.SequenceNumber, Assert.Single(after).SequenceNumber);

        var latest = await client.GetShardIteratorAsync(stream, second.ShardId, KinesisIteratorType.Latest, null, CancellationToken.None);
        var page = await client.GetRecordsAsync(latest, 10, CancellationToken.None);
        Assert.Empty(page.Records);
        Assert.NotNull(page.NextShardIterator);
    }

    [Fact]
    public async Task Partial_PutRecords_failures_come_back_per_entry_and_only_acknowledged_entries_are_stored()
    {
        var client = Client();
        var stream = await NewActiveStreamAsync(client, shards: 1);
        _wire.Enqueue(Fault.FailPutRecordsEntries([1, 3]));
        var entries = Enumerable.Range(0, 5).Select(i => new PutRecordsEntry("k", new[] { (byte)i })).ToArray();

        var result = await client.PutRecordsAsync(stream, entries, CancellationToken.None);

        Assert.Equal(2, result.FailedRecordCount);
        Assert.Equal([true, false, true, false, true], result.Records.Select(r => r.Succeeded));
        Assert.Equal("ProvisionedThroughputExceededException", result.Records[1].ErrorCode);
        Assert.Equal(1, _wire.CountOf("PutRecords"));
        var shard = Assert.Single(await client.ListAllShardsAsync(stream, CancellationToken.None));
        var stored = await ReadShardAsync(client, stream, shard.ShardId, KinesisIteratorType.TrimHorizon, null);
        Assert.Equal([0, 2, 4], stored.Select(r => (int)r.Data.Span[0]));
    }

    [Fact]
    public async Task A_missing_stream_is_ResourceNotFound_with_its_request_id()
    {
        var client = Client();

        var error = await Assert.ThrowsAsync<ResourceNotFoundException>(
            () => client.GetShardIteratorAsync(KinesisStreamRef.FromName("missing"), "shardId-000000000000", KinesisIteratorType.TrimHorizon, null, CancellationToken.None));

        Assert.Equal("ResourceNotFoundException", error.ErrorCode);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.Equal(1, _wire.CountOf("GetShardIterator"));
    }

    [Fact]
    public async Task A_malformed_iterator_is_a_typed_service_error()
    {
        var error = await Assert.ThrowsAnyAsync<AwsServiceException>(() => Client().GetRecordsAsync("bm90LWFuLWl0ZXJhdG9y", 10, CancellationToken.None));

        Assert.Contains(error.ErrorCode, (string[])["InvalidArgumentException", "ValidationException", "ExpiredIteratorException"]);
        Assert.Equal(1, _wire.CountOf("GetRecords"));
    }

    public static TheoryData<string, PutRecordsEntry[]> BrokenBatches() => new()
    {
        { "empty batch", [] },
        { "501 entries", Enumerable.Repeat(new PutRecordsEntry("k", new byte[1]), 501).ToArray() },
        { "empty partition key", [new PutRecordsEntry("", new byte[1])] },
        { "257-character partition key", [new PutRecordsEntry(new string('k', 257), new byte[1])] },
        { "record over 1 MiB", [new PutRecordsEntry("k", new byte[1024 * 1024])] },
        { "request over 5 MiB", Enumerable.Repeat(new PutRecordsEntry("k", new byte[900 * 1024]), 6).ToArray() },
        { "explicit hash key over 2^128-1", [new PutRecordsEntry("k", new byte[1], "340282366920938463463374607431768211456")] },
    };

    [Theory]
    [MemberData(nameof(BrokenBatches))]
    public async Task A_batch_that_breaks_a_limit_is_refused_and_nothing_is_sent(string why, PutRecordsEntry[] entries)
    {
        var error = await Assert.ThrowsAsync<AwsRequestValidationException>(
            () => Client().PutRecordsAsync(KinesisStreamRef.FromName("s"), entries, CancellationToken.None));

        Assert.False(string.IsNullOrEmpty(error.Message), why);
        Assert.Empty(_wire.Requests);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public async Task GetRecords_limit_outside_1_to_10000_is_refused_before_sending(int limit)
    {
        await Assert.ThrowsAsync<AwsRequestValidationException>(() => Client().GetRecordsAsync("iterator", limit, CancellationToken.None));
        Assert.Empty(_wire.Requests);
    }

    [Fact]
    public async Task A_larger_configured_record_limit_lets_the_record_through_to_the_service()
    {
        var options = kinesalite.Emulator.CreateClientOptions();
        options.MaxRecordBytes = 2 * 1024 * 1024;
        options.MaxPutRecordsRequestBytes = 10 * 1024 * 1024;
        var client = Client(options);
        var stream = await NewActiveStreamAsync(client, shards: 1);

        // kinesalite keeps the classic 1 MiB limit, so the service, not the client, refuses it.
        var error = await Assert.ThrowsAnyAsync<AwsServiceException>(
            () => client.PutRecordAsync(stream, new PutRecordsEntry("k", new byte[1536 * 1024]), CancellationToken.None));

        Assert.IsNotType<InternalFailureException>(error);
        Assert.Equal(1, _wire.CountOf("PutRecord"));
    }

    private KinesisClient Client(AwsClientOptions? options = null)
    {
        var factory = kinesalite.Emulator.CreateClientFactory(options, _wire);
        _factories.Add(factory);
        return factory.CreateKinesisClient();
    }

    /// <summary>A new ACTIVE stream with a name of its own.</summary>
    internal static Task<KinesisStreamRef> NewActiveStreamAsync(IKinesisClient client, int shards) =>
        client.CreateActiveStreamAsync("s" + Guid.NewGuid().ToString("N")[..12], shards);

    internal static async Task<List<KinesisRecord>> ReadShardAsync(IKinesisClient client, KinesisStreamRef stream, string shardId, KinesisIteratorType type, string? sequenceNumber)
    {
        var iterator = await client.GetShardIteratorAsync(stream, shardId, type, sequenceNumber, CancellationToken.None);
        var records = new List<KinesisRecord>();
        // An open shard never ends: stop at the first empty page.
        for (var pages = 0; iterator is not null && pages < 50; pages++)
        {
            var page = await client.GetRecordsAsync(iterator, 10_000, CancellationToken.None);
            if (page.Records.Length == 0)
            {
                break;
            }

            records.AddRange(page.Records);
            iterator = page.NextShardIterator;
        }

        return records;
    }

    private static BigInteger HashKeyOf(string partitionKey) =>
        new(MD5.HashData(Encoding.UTF8.GetBytes(partitionKey)), isUnsigned: true, isBigEndian: true);

    private static string OwnerOf(IReadOnlyList<KinesisShard> shards, BigInteger hashKey) =>
        shards.Single(s => BigInteger.Parse(s.StartingHashKey) <= hashKey && hashKey <= BigInteger.Parse(s.EndingHashKey)).ShardId;
}
