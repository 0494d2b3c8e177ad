using System.Text.Json;
using Bridge.Aws.Protocol;

namespace Bridge.Aws.Kinesis;

/// <summary>Kinesis Data Streams over the JSON 1.1 protocol. Build it with <see cref="AwsClientFactory"/>.</summary>
public sealed class KinesisClient : IKinesisClient
{
    /// <summary>The service's <c>GetRecords</c> limit range.</summary>
    public const int MaxGetRecordsLimit = 10_000;

    private readonly AwsJsonTransport _transport;
    private readonly PutRecordsRules _rules;

    internal KinesisClient(AwsJsonTransport transport, AwsClientOptions options)
    {
        _transport = transport;
        _rules = new PutRecordsRules(options.MaxRecordBytes, options.MaxPutRecordsRequestBytes);
    }

    public Task CreateStreamAsync(string streamName, int? shardCount, CancellationToken cancellationToken)
    {
        RequestRules.NotEmpty(streamName, "StreamName");
        if (shardCount is { } count)
        {
            RequestRules.InRange(count, 1, 100_000, "ShardCount");
        }

        // Without a shard count the stream is on-demand: the service then sizes it.
        var mode = shardCount is null ? new StreamModeDetailsDto("ON_DEMAND") : null;
        return _transport.SendAsync("CreateStream", new CreateStreamRequestDto(streamName, shardCount, mode), KinesisJsonContext.Default.CreateStreamRequestDto, cancellationToken);
    }

    public Task DeleteStreamAsync(string streamName, CancellationToken cancellationToken)
    {
        RequestRules.NotEmpty(streamName, "StreamName");
        return _transport.SendAsync("DeleteStream", new DeleteStreamRequestDto(streamName, EnforceConsumerDeletion: true), KinesisJsonContext.Default.DeleteStreamRequestDto, cancellationToken);
    }

    public async Task<KinesisStreamSummary> DescribeStreamSummaryAsync(KinesisStreamRef stream, CancellationToken cancellationToken)
    {
        var answer = await _transport.SendAsync(
            "DescribeStreamSummary", Ref(stream), KinesisJsonContext.Default.StreamRefDto, KinesisJsonContext.Default.DescribeStreamSummaryResponseDto, cancellationToken).ConfigureAwait(false);
        var s = answer.StreamDescriptionSummary;
        return new KinesisStreamSummary(s.StreamName, s.StreamArn, s.StreamStatus, s.OpenShardCount, s.RetentionPeriodHours, s.MaxRecordSizeInKiB);
    }

    public async Task<ListShardsPage> ListShardsAsync(KinesisStreamRef stream, string? nextToken, CancellationToken cancellationToken)
    {
        // The service rejects a stream name or ARN next to a NextToken: the token already names the stream.
        var target = Ref(stream);
        var request = nextToken is null
            ? new ListShardsRequestDto(target.StreamName, target.StreamArn, null)
            : new ListShardsRequestDto(null, null, nextToken);
        var dto = await _transport.SendAsync(
            "ListShards", request, KinesisJsonContext.Default.ListShardsRequestDto, KinesisJsonContext.Default.ListShardsResponseDto, cancellationToken).ConfigureAwait(false);
        var shards = dto.Shards?.ConvertAll(s => new KinesisShard(
            s.ShardId, s.ParentShardId, s.AdjacentParentShardId, s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey,
            s.SequenceNumberRange?.EndingSequenceNumber)) ?? [];
        return new ListShardsPage(shards, dto.NextToken);
    }

    public async Task<PutRecordsResult> PutRecordsAsync(KinesisStreamRef stream, IReadOnlyList<PutRecordsEntry> entries, CancellationToken cancellationToken)
    {
        _ = Ref(stream); // refuses an unnamed stream before the body is written
        _rules.CheckBatch(entries);
        using var body = new PooledBufferWriter(PutRecordsBody.EstimateSize(entries));
        PutRecordsBody.Write(body, stream, entries);
        return await _transport.SendAsync("PutRecords", body.WrittenMemory, DecodePutRecords, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PutRecordResult> PutRecordAsync(KinesisStreamRef stream, PutRecordsEntry entry, CancellationToken cancellationToken)
    {
        var target = Ref(stream);
        _rules.CheckEntry(entry);
        var dto = await _transport.SendAsync(
            "PutRecord", new PutRecordRequestDto(target.StreamName, target.StreamArn, entry.PartitionKey, entry.Data.ToMemory(), entry.ExplicitHashKey),
            KinesisJsonContext.Default.PutRecordRequestDto, KinesisJsonContext.Default.PutRecordResponseDto, cancellationToken).ConfigureAwait(false);
        return new PutRecordResult(dto.SequenceNumber, dto.ShardId);
    }

    public async Task<string> GetShardIteratorAsync(KinesisStreamRef stream, string shardId, KinesisIteratorType type, string? sequenceNumber, CancellationToken cancellationToken)
    {
        var target = Ref(stream);
        RequestRules.NotEmpty(shardId, "ShardId");
        var answer = await _transport.SendAsync(
            "GetShardIterator", new GetShardIteratorRequestDto(target.StreamName, target.StreamArn, shardId, IteratorStart.WireName(type, sequenceNumber), sequenceNumber),
            KinesisJsonContext.Default.GetShardIteratorRequestDto, KinesisJsonContext.Default.GetShardIteratorResponseDto, cancellationToken).ConfigureAwait(false);
        return answer.ShardIterator ?? throw new JsonException("GetShardIterator answered no ShardIterator.");
    }

    public async Task<KinesisRecordsPage> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken)
    {
        RequestRules.NotEmpty(shardIterator, "ShardIterator");
        RequestRules.InRange(limit, 1, MaxGetRecordsLimit, "GetRecords Limit");
        var dto = await _transport.SendAsync(
            "GetRecords", new GetRecordsRequestDto(shardIterator, limit),
            KinesisJsonContext.Default.GetRecordsRequestDto, KinesisJsonContext.Default.GetRecordsResponseDto, cancellationToken).ConfigureAwait(false);
        var records = dto.Records is null ? [] : dto.Records.ConvertAll(r => new KinesisRecord(
            r.SequenceNumber,
            r.PartitionKey,
            r.Data,
            r.ApproximateArrivalTimestamp is { } seconds ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)) : null)).ToArray();
        return new KinesisRecordsPage(records, dto.NextShardIterator, dto.MillisBehindLatest);
    }

    public Task UpdateShardCountAsync(KinesisStreamRef stream, int targetShardCount, CancellationToken cancellationToken)
    {
        var target = Ref(stream);
        RequestRules.InRange(targetShardCount, 1, 100_000, "TargetShardCount");
        return _transport.SendAsync(
            "UpdateShardCount",
            new UpdateShardCountRequestDto(target.StreamName, target.StreamArn, targetShardCount, "UNIFORM_SCALING"),
            KinesisJsonContext.Default.UpdateShardCountRequestDto,
            cancellationToken);
    }

    internal static PutRecordsResult DecodePutRecords(byte[] answer)
    {
        var dto = JsonSerializer.Deserialize(answer, KinesisJsonContext.Default.PutRecordsResponseDto)!;
        var entries = dto.Records is null ? [] : dto.Records.ConvertAll(
            r => new PutRecordsResultEntry(r.SequenceNumber, r.ShardId, r.ErrorCode, r.ErrorMessage)).ToArray();
        return new PutRecordsResult(dto.FailedRecordCount, entries);
    }

    /// <summary>The stream as the wire names it: by ARN when known, else by name.</summary>
    private static StreamRefDto Ref(KinesisStreamRef stream) =>
        stream.Arn is { Length: > 0 } arn ? new StreamRefDto(null, arn)
        : stream.Name is { Length: > 0 } name ? new StreamRefDto(name, null)
        : throw new AwsRequestValidationException("The stream needs a name or an ARN.");
}
