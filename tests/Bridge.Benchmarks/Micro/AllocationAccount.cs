using Bridge.Aws.DynamoDbStreams;
using Bridge.Benchmarks.Workload;
using Bridge.Routing;

namespace Bridge.Benchmarks.Micro;

/// <summary>Counts the hot path's allocations per record by accounting for every byte it allocates.</summary>
/// <remarks>
/// The runtime counts allocated bytes, not objects. So the bytes one hot-path pass allocates are compared with the sizes
/// of the objects it is known to create per record (sequence-number string, partition-key string, output data array):
/// if they explain all but a small per-answer remainder (the result array, the page, the iterator string, one writer
/// per PutRecords body), there is no other per-record allocation.
/// </remarks>
internal static class AllocationAccount
{
    /// <summary>Per-answer bytes that are not per-record objects: the records array (56 B per slot) plus a few small objects.</summary>
    private const int StreamRecordSlotBytes = 56;

    public static bool Print()
    {
        var ok = true;
        var table = new ResultTable("Allocation account of one hot-path pass (1000 records, GC.GetAllocatedBytesForCurrentThread)",
            ["record", "measured B/record", "seq string", "key string", "data byte[]", "array slot", "unexplained B/answer", "allocations/record"]);
        foreach (var size in new[] { 1024, 10240 })
        {
            var path = new HotPath(HotPathBenchmarks.Records, size);
            path.Run();
            var before = GC.GetAllocatedBytesForCurrentThread();
            path.Run();
            var measured = GC.GetAllocatedBytesForCurrentThread() - before;

            var router = new RecordRouter(new PartitionKeySelector(StreamRecordWorkload.KeyAttribute), new OutputRecordEncoder(StreamRecordWorkload.TableName, StreamRecordWorkload.StreamArn, "shardId-00000001795000000000-abcdef01"));
            long sequences = 0, keys = 0, data = 0;
            var records = StreamRecordsDecoder.Decode(path.Answer).Records;
            foreach (var record in records)
            {
                var outcome = router.Route(record);
                sequences += StringSize(record.SequenceNumber.Length);
                keys += StringSize(outcome.PartitionKey!.Length);
                data += ArraySize(outcome.Data!.Length);
            }

            long slots = ArraySize(records.Length * StreamRecordSlotBytes);
            var unexplained = measured - sequences - keys - data - slots;
            var n = (double)records.Length;
            // Anything per record left unexplained would show as at least 24 B × 1000 records.
            var perRecordCount = unexplained < 24 * records.Length ? "3" : "> 3";
            ok &= unexplained < 24 * records.Length;
            table.Add($"{path.Answer.Length / records.Length} B", (measured / n).ToString("F0"), (sequences / n).ToString("F0"), (keys / n).ToString("F0"),
                (data / n).ToString("F0"), (slots / n).ToString("F0"), unexplained.ToString("N0"), perRecordCount);
        }

        table.Print();
        return ok;
    }

    /// <summary>A string's size on 64-bit .NET: header, method table, length, UTF-16 chars and terminator, 8-byte aligned.</summary>
    private static long StringSize(int chars) => Math.Max(24, Align(22 + (2L * chars)));

    private static long ArraySize(int bytes) => Align(24 + (long)bytes);

    private static long Align(long bytes) => (bytes + 7) & ~7L;
}
