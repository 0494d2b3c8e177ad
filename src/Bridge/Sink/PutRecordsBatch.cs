using Bridge.Aws.Kinesis;

namespace Bridge.Sink;

/// <summary>The entries of one PutRecords request: distinct partition keys, within the request limits.</summary>
internal sealed class PutRecordsBatch(int capacity)
{
    private readonly List<OutboundEntry> _entries = new(capacity);

    public int Count => _entries.Count;

    public long Bytes { get; private set; }

    public IReadOnlyList<OutboundEntry> Entries => _entries;

    /// <summary>Whether <paramref name="entry"/> still fits; the first entry always does (records were checked against the record limit when routed, aggregates when packed).</summary>
    public bool Fits(in OutboundEntry entry, int maxBytes) => _entries.Count == 0 || Bytes + entry.Size <= maxBytes;

    public void Add(in OutboundEntry entry)
    {
        _entries.Add(entry);
        Bytes += entry.Size;
    }

    public PutRecordsEntry[] ToEntries()
    {
        var entries = new PutRecordsEntry[_entries.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new PutRecordsEntry(_entries[i].PartitionKey, _entries[i].Data());
        }

        return entries;
    }
}
