using Bridge.Aws.Kinesis;

namespace Bridge.Sink;

/// <summary>The records of one PutRecords request: distinct partition keys, within the request limits.</summary>
internal sealed class PutRecordsBatch(int capacity)
{
    private readonly List<OutboundRecord> _records = new(capacity);

    public int Count => _records.Count;

    public long Bytes { get; private set; }

    public IReadOnlyList<OutboundRecord> Records => _records;

    /// <summary>Whether <paramref name="record"/> still fits; the first record always does (it was checked against the record limit when routed).</summary>
    public bool Fits(OutboundRecord record, int maxBytes) => _records.Count == 0 || Bytes + record.Size <= maxBytes;

    public void Add(OutboundRecord record)
    {
        _records.Add(record);
        Bytes += record.Size;
    }

    public PutRecordsEntry[] ToEntries()
    {
        var entries = new PutRecordsEntry[_records.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new PutRecordsEntry(_records[i].PartitionKey, _records[i].Data);
        }

        return entries;
    }
}
