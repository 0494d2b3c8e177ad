using System.Text;
using Bridge.Aws.Protocol;

namespace Bridge.Aws.Kinesis;

/// <summary>The documented limits of PutRecord/PutRecords, checked before sending so a request the service would reject
/// as a whole never leaves the process.</summary>
internal sealed class PutRecordsRules(int maxRecordBytes, int maxRequestBytes)
{
    public const int MaxEntries = 500;
    public const int MaxPartitionKeyLength = 256;

    public void CheckBatch(IReadOnlyList<PutRecordsEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count is 0 or > MaxEntries)
        {
            throw new AwsRequestValidationException($"PutRecords takes 1..{MaxEntries} entries (was {entries.Count}).");
        }

        long total = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            total += CheckEntry(entries[i], i);
        }

        if (total > maxRequestBytes)
        {
            throw new AwsRequestValidationException($"PutRecords request of {total} bytes exceeds {maxRequestBytes} bytes (data plus partition keys).");
        }
    }

    /// <returns>The bytes the entry counts against the record and request limits (data plus UTF-8 partition key).</returns>
    public int CheckEntry(PutRecordsEntry entry, int index = 0)
    {
        var key = entry.PartitionKey;
        if (string.IsNullOrEmpty(key) || key.Length > MaxPartitionKeyLength)
        {
            throw new AwsRequestValidationException(
                $"Entry {index}: the partition key must have 1..{MaxPartitionKeyLength} characters (had {key?.Length ?? 0}).");
        }

        if (entry.ExplicitHashKey is { } hashKey && !IsHashKey(hashKey))
        {
            throw new AwsRequestValidationException($"Entry {index}: ExplicitHashKey '{hashKey}' is not a decimal in 0..2^128-1.");
        }

        var size = entry.Data.Length + Encoding.UTF8.GetByteCount(key);
        if (size > maxRecordBytes)
        {
            throw new AwsRequestValidationException($"Entry {index}: record of {size} bytes exceeds {maxRecordBytes} bytes (data plus partition key).");
        }

        return size;
    }

    private static bool IsHashKey(string value) =>
        value.Length is > 0 and <= 39
        && value.All(char.IsAsciiDigit)
        && (value.Length == 1 || value[0] != '0')
        && System.Numerics.BigInteger.Parse(value, System.Globalization.CultureInfo.InvariantCulture) < System.Numerics.BigInteger.One << 128;
}
