using System.Buffers;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Benchmarks.Workload;
using Bridge.Filtering;
using Bridge.Output;
using Bridge.Routing;

namespace Bridge.Benchmarks.Micro;

/// <summary>One GetRecords answer taken through the bridge's hot path, and through its ceiling, over the same bytes.</summary>
/// <remarks>
/// <para>Hot path: <see cref="StreamRecordsDecoder.Decode"/> locating the key attribute, then per record
/// <see cref="RecordRouter.Route"/> (key rendering and output encoding), then <see cref="PutRecordsBody.Write"/> in
/// batches as the sink cuts them (≤ 500 entries, ≤ 5 MiB of data and keys).</para>
/// <para>Ceiling: one <see cref="Utf8JsonReader"/> pass over the answer plus one <see cref="Utf8JsonWriter"/> writing the
/// same PutRecords bodies from entries prepared in advance: the least work any decoder and encoder could do.</para>
/// <para>Both write into one reused buffer, so neither pays for buffers the other does not.</para>
/// </remarks>
internal sealed class HotPath
{
    public const int MaxBatchEntries = 500;

    public const int MaxBatchBytes = 5 * 1024 * 1024;

    private static readonly JsonEncodedText RecordsName = JsonEncodedText.Encode("Records");
    private static readonly JsonEncodedText DataName = JsonEncodedText.Encode("Data");
    private static readonly JsonEncodedText PartitionKeyName = JsonEncodedText.Encode("PartitionKey");
    private static readonly JsonEncodedText StreamNameName = JsonEncodedText.Encode("StreamName");

    private readonly KinesisStreamRef _target = KinesisStreamRef.FromName("chat-events");
    private readonly RecordRouter _router;
    private readonly PutRecordsEntry[] _batch = new PutRecordsEntry[MaxBatchEntries];
    private readonly ArrayBufferWriter<byte> _output = new(8 * 1024 * 1024);

    /// <summary>The routed output of <see cref="Answer"/>, for the ceiling to write.</summary>
    private readonly PutRecordsEntry[] _prepared;

    /// <summary>Null on the default path; else records it rejects are dropped before routing, as the shard consumer does.</summary>
    private readonly SourceFilter? _filter;

    /// <param name="shape">The output shape; null for the default (the record's own bytes plus added fields).</param>
    /// <param name="filter">The source's filter; null for none.</param>
    public HotPath(int records, int recordBytes, OutputShape? shape = null, SourceFilter? filter = null)
    {
        Records = records;
        Answer = StreamRecordWorkload.GetRecordsAnswer(records, recordBytes);
        _filter = filter;
        _router = new RecordRouter(
            new PartitionKeySelector(StreamRecordWorkload.KeyAttribute),
            (shape ?? OutputShape.Default).CreateEncoder(StreamRecordWorkload.TableName, StreamRecordWorkload.StreamArn, "shardId-00000001795000000000-abcdef01"));
        _prepared = [.. StreamRecordsDecoder.Decode(Answer, _router.KeyPath).Records.Where(Passes).Select(r => Routed(_router.Route(r)))];
        // One pass now, so that a hot path that cannot route these records fails in the setup.
        Run();
    }

    public int Records { get; }

    /// <summary>The GetRecords answer, as the wire client receives it.</summary>
    public byte[] Answer { get; }

    /// <summary>Decode, route and encode every record; returns the PutRecords body bytes written.</summary>
    public long Run()
    {
        var page = StreamRecordsDecoder.Decode(Answer, _router.KeyPath);
        long written = 0;
        int count = 0, bytes = 0;
        foreach (ref readonly var record in page.Records.AsSpan())
        {
            if (_filter is not null && !Passes(record))
            {
                continue;
            }

            var outcome = _router.Route(record);
            if (!outcome.IsRouted)
            {
                throw new InvalidOperationException(outcome.Message);
            }

            var size = outcome.Size;
            if (count == MaxBatchEntries || bytes + size > MaxBatchBytes)
            {
                written += WriteBody(count);
                count = bytes = 0;
            }

            _batch[count++] = new PutRecordsEntry(outcome.PartitionKey, outcome.Data);
            bytes += size;
        }

        written += WriteBody(count);
        Array.Clear(_batch);
        return written;
    }

    /// <summary>The ceiling: one reader pass over the answer, and the same bodies written by a bare writer.</summary>
    public long RunCeiling()
    {
        var reader = new Utf8JsonReader(Answer);
        long tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        if (tokens == 0)
        {
            throw new InvalidOperationException("empty answer");
        }

        long written = 0;
        int start = 0, bytes = 0;
        for (var i = 0; i < _prepared.Length; i++)
        {
            var size = _prepared[i].Data.Length + _prepared[i].PartitionKey.Length;
            if (i - start == MaxBatchEntries || bytes + size > MaxBatchBytes)
            {
                written += WriteBare(start, i);
                start = i;
                bytes = 0;
            }

            bytes += size;
        }

        return written + WriteBare(start, _prepared.Length);
    }

    /// <summary>The attribute the decoder locates.</summary>
    public AttributePath KeyPath => _router.KeyPath;

    /// <summary>Records the filter lets through, of one answer.</summary>
    public int Forwarded => _prepared.Length;

    /// <summary>Data bytes of the routed records (what Kinesis stores and bills), over one answer.</summary>
    public long DataBytes => _prepared.Sum(e => (long)e.Data.Length);

    /// <summary>Only the filter, over every record of a decoded answer: what a dropped record costs.</summary>
    public long FilterOnly(GetRecordsPage page)
    {
        long passed = 0;
        foreach (ref readonly var record in page.Records.AsSpan())
        {
            passed += Passes(record) ? 1 : 0;
        }

        return passed;
    }

    /// <summary>Only routing and the PutRecords body, over every record of a decoded answer: the least a forwarded record costs before the network.</summary>
    public long ForwardOnly(GetRecordsPage page)
    {
        long written = 0;
        int count = 0;
        foreach (ref readonly var record in page.Records.AsSpan())
        {
            var outcome = _router.Route(record);
            if (count == MaxBatchEntries)
            {
                written += WriteBody(count);
                count = 0;
            }

            _batch[count++] = new PutRecordsEntry(outcome.PartitionKey!, outcome.Data);
        }

        written += WriteBody(count);
        Array.Clear(_batch);
        return written;
    }

    /// <summary>Only the decoder (locating the key attribute).</summary>
    public int Decode() => StreamRecordsDecoder.Decode(Answer, _router.KeyPath).Records.Length;

    /// <summary>Only the encoder, from entries routed in advance.</summary>
    public long Encode()
    {
        long written = 0;
        for (var start = 0; start < _prepared.Length;)
        {
            int count = 0, bytes = 0;
            while (start + count < _prepared.Length && count < MaxBatchEntries && bytes + _prepared[start + count].Data.Length + _prepared[start + count].PartitionKey.Length <= MaxBatchBytes)
            {
                bytes += _prepared[start + count].Data.Length + _prepared[start + count].PartitionKey.Length;
                count++;
            }

            _output.ResetWrittenCount();
            PutRecordsBody.Write(_output, _target, new ArraySegment<PutRecordsEntry>(_prepared, start, count));
            written += _output.WrittenCount;
            start += count;
        }

        return written;
    }

    private long WriteBody(int count)
    {
        _output.ResetWrittenCount();
        PutRecordsBody.Write(_output, _target, new ArraySegment<PutRecordsEntry>(_batch, 0, count));
        return _output.WrittenCount;
    }

    private long WriteBare(int start, int end)
    {
        _output.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_output, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString(StreamNameName, _target.Name);
            writer.WriteStartArray(RecordsName);
            for (var i = start; i < end; i++)
            {
                writer.WriteStartObject();
                writer.WriteBase64String(DataName, _prepared[i].Data.Head.Span);
                writer.WriteString(PartitionKeyName, _prepared[i].PartitionKey);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return _output.WrittenCount;
    }

    private bool Passes(StreamRecord record) => _filter is null || _filter.Check(record) == FilterVerdict.Forward;

    /// <summary>The output in one contiguous array, as the ceiling writes it.</summary>
    private static PutRecordsEntry Routed(RouteOutcome outcome) =>
        outcome.IsRouted ? new PutRecordsEntry(outcome.PartitionKey, outcome.Data.ToArray()) : throw new InvalidOperationException(outcome.Message);
}
