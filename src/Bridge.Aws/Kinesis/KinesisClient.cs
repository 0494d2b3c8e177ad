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
        return SendAsync("CreateStream", new CreateStreamRequestDto(streamName, shardCount, mode), KinesisJsonContext.Default.CreateStreamRequestDto, cancellationToken);
    }

    public Task DeleteStreamAsync(string streamName, CancellationToken cancellationToken)
    {
        RequestRules.NotEmpty(streamName, "StreamName");
        return SendAsync("DeleteStream", new DeleteStreamRequestDto(streamName, EnforceConsumerDeletion: true), KinesisJsonContext.Default.DeleteStreamRequestDto, cancellationToken);
    }

    public Task<KinesisStreamSummary> DescribeStreamSummaryAsync(KinesisStreamRef stream, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(Ref(stream), KinesisJsonContext.Default.StreamRefDto);
        return _transport.SendAsync("DescribeStreamSummary", body, static answer =>
        {
            var s = JsonSerializer.Deserialize(answer, KinesisJsonContext.Default.DescribeStreamSummaryResponseDto)!.StreamDescriptionSummary;
            return new KinesisStreamSummary(s.StreamName, s.StreamArn, s.StreamStatus, s.OpenShardCount, s.RetentionPeriodHours, s.MaxRecordSizeInKiB);
        }, cancellationToken);
    }

    public Task<ListShardsPage> ListShardsAsync(KinesisStreamRef stream, string? nextToken, CancellationToken cancellationToken)
    {
        // The service rejects a stream name or ARN next to a NextToken: the token already names the stream.
        var target = Ref(stream);
        var request = nextToken is null
            ? new ListShardsRequestDto(target.StreamName, target.StreamArn, null)
            : new ListShardsRequestDto(null, null, nextToken);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, KinesisJsonContext.Default.ListShardsRequestDto);
        return _transport.SendAsync("ListShards", body, static answer =>
        {
            var dto = JsonSerializer.Deserialize(answer, KinesisJsonContext.Default.ListShardsResponseDto)!;
            var shards = dto.Shards?.ConvertAll(s => new KinesisShard(
                s.ShardId, s.ParentShardId, s.AdjacentParentShardId, s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey,
                s.SequenceNumberRange?.EndingSequenceNumber)) ?? [];
            return new ListShardsPage(shards, dto.NextToken);
        }, cancellationToken);
    }

    public async Task<PutRecordsResult> PutRecordsAsync(KinesisStreamRef stream, IReadOnlyList<PutRecordsEntry> entries, CancellationToken cancellationToken)
    {
        _ = Ref(stream); // refuses an unnamed stream before the body is written
        _rules.CheckBatch(entries);
        using var body = new PooledBufferWriter(PutRecordsBody.EstimateSize(entries));
        PutRecordsBody.Write(body, stream, entries);
        return await _transport.SendAsync("PutRecords", body.WrittenMemory, DecodePutRecords, cancellationToken).ConfigureAwait(false);
    }

    public Task<PutRecordResult> PutRecordAsync(KinesisStreamRef stream, PutRecordsEntry entry, CancellationToken cancellationToken)
    {
        var target = Ref(stream);
        _rules.CheckEntry(entry);
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new PutRecordRequestDto(target.StreamName, target.StreamArn, entry.PartitionKey, entry.Data, entry.ExplicitHashKey),
            KinesisJsonContext.Default.PutRecordRequestDto);
        return _transport.SendAsync("PutRecord", body, static answer =>
        {
            var dto = JsonSerializer.Deserialize(answer, KinesisJsonContext.Default.PutRecordResponseDto)!;
            return new PutRecordResult(dto.SequenceNumber, dto.ShardId);
        }, cancellationToken);
    }

    public Task<string> GetShardIteratorAsync(KinesisStreamRef stream, string shardId, KinesisIteratorType type, string? sequenceNumber, CancellationToken cancellationToken)
    {
        var target = Ref(stream);
        RequestRules.NotEmpty(shardId, "ShardId");
        var positional = type is KinesisIteratorType.AtSequenceNumber or KinesisIteratorType.AfterSequenceNumber;
        RequestRules.SequenceNumberMatchesIteratorType(positional, sequenceNumber, type.ToString());
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new GetShardIteratorRequestDto(target.StreamName, target.StreamArn, shardId, WireName(type), sequenceNumber),
            KinesisJsonContext.Default.GetShardIteratorRequestDto);
        return _transport.SendAsync("GetShardIterator", body, static answer =>
            JsonSerializer.Deserialize(answer, KinesisJsonContext.Default.GetShardIteratorResponseDto)!.ShardIterator
            ?? throw new JsonException("GetShardIterator answered no ShardIterator."), cancellationToken);
    }

    public Task<KinesisRecordsPage> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken)
    {
        RequestRules.NotEmpty(shardIterator, "ShardIterator");
        RequestRules.InRange(limit, 1, MaxGetRecordsLimit, "GetRecords Limit");
        var body = JsonSerializer.SerializeToUtf8Bytes(new GetRecordsRequestDto(shardIterator, limit), KinesisJsonContext.Default.GetRecordsRequestDto);
        return _transport.SendAsync("GetRecords", body, static answer =>
        {
            var dto = JsonSerializer.Deserialize(answer, KinesisJsonContext.Default.GetRecordsResponseDto)!;
            var records = dto.Records is null ? [] : dto.Records.ConvertAll(r => new KinesisRecord(
                r.SequenceNumber,
                r.PartitionKey,
                r.Data,
                r.ApproximateArrivalTimestamp is { } seconds ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)) : null)).ToArray();
            return new KinesisRecordsPage(records, dto.NextShardIterator, dto.MillisBehindLatest);
        }, cancellationToken);
    }

    public Task UpdateShardCountAsync(KinesisStreamRef stream, int targetShardCount, CancellationToken cancellationToken)
    {
        var target = Ref(stream);
        RequestRules.InRange(targetShardCount, 1, 100_000, "TargetShardCount");
        return SendAsync(
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

    private Task SendAsync<TRequest>(string operation, TRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> type, CancellationToken cancellationToken) =>
        _transport.SendAsync(operation, JsonSerializer.SerializeToUtf8Bytes(request, type), static _ => true, cancellationToken);

    private static string WireName(KinesisIteratorType type) => type switch
    {
        KinesisIteratorType.TrimHorizon => "TRIM_HORIZON",
        KinesisIteratorType.Latest => "LATEST",
        KinesisIteratorType.AtSequenceNumber => "AT_SEQUENCE_NUMBER",
        KinesisIteratorType.AfterSequenceNumber => "AFTER_SEQUENCE_NUMBER",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown iterator type."),
    };
}
