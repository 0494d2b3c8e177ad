using System.Globalization;
using System.Net;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Protocol;

namespace Bridge.Tests.Fakes;

/// <summary>A DynamoDB stream in memory that does what DynamoDB Local cannot: split shards, close them, trim them, expire iterators.</summary>
/// <remarks>Iterators are <c>shardId|position</c>, position counting every record ever appended to the shard, trimmed ones included.</remarks>
internal sealed class InMemoryStream(string tableName = "chat", string streamArn = "arn:aws:dynamodb:us-east-1:000000000000:table/chat/stream/2026-01-01T00:00:00.000") : IDynamoDbStreamsClient
{
    private readonly Lock _lock = new();
    private readonly List<FakeShard> _shards = [];
    private long _nextSequence = 1000;

    public string TableName => tableName;

    public string StreamArn => streamArn;

    /// <summary>Largest page DescribeStream returns, to exercise pagination.</summary>
    public int DescribePageSize { get; set; } = 2;

    /// <summary>Decides per GetRecords call whether the iterator has expired.</summary>
    public Func<bool> ExpireIterator { get; set; } = () => false;

    public int GetRecordsCalls { get; private set; }

    public void AddShard(string shardId, string? parentShardId = null)
    {
        lock (_lock)
        {
            _shards.Add(new FakeShard(shardId, parentShardId));
        }
    }

    public StreamRecord Append(string shardId, string? roomId, int payloadBytes = 16, long? orderValue = null, string? itemId = null, string eventName = "INSERT", DateTimeOffset? createdAt = null)
    {
        lock (_lock)
        {
            var shard = Find(shardId);
            if (shard.Closed)
            {
                throw new InvalidOperationException($"Shard {shardId} is closed.");
            }

            var record = StreamRecordJson.Create(StreamRecordJson.Sequence(_nextSequence++), roomId, eventName, createdAt, payloadBytes, orderValue, itemId);
            shard.Records.Add(record);
            return record;
        }
    }

    /// <summary>Appends <paramref name="count"/> records keyed <c>room-0</c> … <c>room-(rooms - 1)</c> in turn.</summary>
    public StreamRecord[] AppendRooms(string shardId, int count, int rooms) =>
        [.. Enumerable.Range(0, count).Select(i => Append(shardId, "room-" + (i % rooms)))];

    public void Close(string shardId)
    {
        lock (_lock)
        {
            Find(shardId).Closed = true;
        }
    }

    /// <summary>Closes <paramref name="parentShardId"/> and opens two children, as a partition split does.</summary>
    public void Split(string parentShardId, string child1, string child2)
    {
        Close(parentShardId);
        AddShard(child1, parentShardId);
        AddShard(child2, parentShardId);
    }

    /// <summary>Drops the oldest <paramref name="count"/> records of a shard, as the 24 h retention does.</summary>
    public void Trim(string shardId, int count)
    {
        lock (_lock)
        {
            var shard = Find(shardId);
            shard.Trimmed = Math.Min(shard.Records.Count, shard.Trimmed + count);
        }
    }

    /// <summary>Removes a shard from the stream, as retention does once all its records aged out.</summary>
    public void Remove(string shardId)
    {
        lock (_lock)
        {
            _shards.Remove(Find(shardId));
        }
    }

    public IReadOnlyList<StreamRecord> RecordsOf(string shardId)
    {
        lock (_lock)
        {
            return [.. Find(shardId).Records];
        }
    }

    public Task<ListStreamsPage> ListStreamsAsync(string? tableName, string? exclusiveStartStreamArn, CancellationToken cancellationToken) =>
        Task.FromResult(new ListStreamsPage([new StreamSummary(streamArn, this.TableName, "2026-01-01T00:00:00.000")], null));

    public Task<StreamDescription> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var candidates = _shards
                .Where(s => request.ChildShardsOf is null || s.ParentShardId == request.ChildShardsOf)
                .SkipWhile(s => request.ExclusiveStartShardId is not null && s.ShardId != request.ExclusiveStartShardId)
                .Skip(request.ExclusiveStartShardId is null ? 0 : 1)
                .ToList();
            var page = candidates.Take(Math.Min(request.Limit ?? DescribePageSize, DescribePageSize)).ToList();
            var shards = page.Select(s => new StreamShard(
                s.ShardId,
                s.ParentShardId,
                s.Records.Count > 0 ? s.Records[0].SequenceNumber.Value : "0",
                s.Closed ? (s.Records.Count > 0 ? s.Records[^1].SequenceNumber.Value : "0") : null)).ToList();
            var last = candidates.Count > page.Count ? page[^1].ShardId : null;
            return Task.FromResult(new StreamDescription(streamArn, TableName, "ENABLED", "NEW_AND_OLD_IMAGES", shards, last));
        }
    }

    public Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var shard = _shards.FirstOrDefault(s => s.ShardId == shardId)
                ?? throw new ResourceNotFoundException($"Shard {shardId} not found.", HttpStatusCode.BadRequest, "fake");
            var position = type switch
            {
                ShardIteratorType.TrimHorizon => shard.Trimmed,
                ShardIteratorType.Latest => shard.Records.Count,
                ShardIteratorType.AtSequenceNumber => IndexOf(shard, sequenceNumber!),
                _ => IndexOf(shard, sequenceNumber!) + 1,
            };
            if (position < shard.Trimmed)
            {
                throw new TrimmedDataAccessException("Trimmed.", HttpStatusCode.BadRequest, "fake");
            }

            return Task.FromResult(Iterator(shardId, position));
        }
    }

    public Task<GetRecordsPage> GetRecordsAsync(string shardIterator, int limit, AttributePath? locate, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            GetRecordsCalls++;
            if (ExpireIterator())
            {
                throw new ExpiredIteratorException("Expired.", HttpStatusCode.BadRequest, "fake");
            }

            var parts = shardIterator.Split('|');
            var shard = Find(parts[0]);
            var position = int.Parse(parts[1], CultureInfo.InvariantCulture);
            if (position < shard.Trimmed)
            {
                throw new TrimmedDataAccessException("Trimmed.", HttpStatusCode.BadRequest, "fake");
            }

            var records = shard.Records.Skip(position).Take(limit).Select(r => Located(r, locate)).ToArray();
            var next = position + records.Length;
            var ended = shard.Closed && next >= shard.Records.Count;
            return Task.FromResult(new GetRecordsPage(records, ended ? null : Iterator(shard.ShardId, next)));
        }
    }

    /// <summary>Locates the path as the real decoder does, so the engine's tests route records the way production does.</summary>
    private static StreamRecord Located(StreamRecord record, AttributePath? locate)
    {
        if (locate is null)
        {
            return record;
        }

        AttributeLocation located;
        try
        {
            located = locate.LocateIn(record.Json.Span);
        }
        catch (JsonException)
        {
            located = AttributeLocation.Malformed;
        }

        return new StreamRecord(record.Json, record.SequenceNumber, record.EventName, record.ApproximateCreationDateTime, record.SizeBytes, located);
    }

    private static int IndexOf(FakeShard shard, string sequenceNumber)
    {
        var index = shard.Records.FindIndex(r => r.SequenceNumber == SequenceNumber.Parse(sequenceNumber));
        return index >= 0 ? index : throw new InvalidArgumentException($"Sequence {sequenceNumber} not in {shard.ShardId}.", HttpStatusCode.BadRequest, "fake");
    }

    private static string Iterator(string shardId, int position) => $"{shardId}|{position.ToString(CultureInfo.InvariantCulture)}";

    private FakeShard Find(string shardId) => _shards.First(s => s.ShardId == shardId);

    private sealed class FakeShard(string shardId, string? parentShardId)
    {
        public string ShardId { get; } = shardId;

        public string? ParentShardId { get; } = parentShardId;

        public List<StreamRecord> Records { get; } = [];

        public bool Closed { get; set; }

        /// <summary>Records at positions below this are gone.</summary>
        public int Trimmed { get; set; }
    }
}
