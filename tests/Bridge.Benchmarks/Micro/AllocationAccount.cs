using System.Runtime.CompilerServices;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Benchmarks.Workload;
using Bridge.Routing;

namespace Bridge.Benchmarks.Micro;

/// <summary>Counts the hot path's allocations per record by accounting for every byte it allocates.</summary>
/// <remarks>
/// The runtime counts allocated bytes, not objects. So the bytes one hot-path pass allocates are compared with the sizes
/// of what it is known to allocate per record (the partition-key string, and the record's slot in the page's array): if
/// they explain all but a small per-answer remainder (the page, the iterator string, one writer per PutRecords body),
/// there is no other per-record allocation.
/// </remarks>
internal static class AllocationAccount
{
    public static bool Print()
    {
        var ok = true;
        var slotBytes = Unsafe.SizeOf<StreamRecord>();
        var table = new ResultTable("Allocation account of one hot-path pass (1000 records, GC.GetAllocatedBytesForCurrentThread)",
            ["record", "measured B/record", "key string", $"array slot ({slotBytes} B)", "unexplained B/answer", "objects/record"]);
        foreach (var size in new[] { 1024, 10240 })
        {
            var path = new HotPath(HotPathBenchmarks.Records, size);
            path.Run();
            var before = GC.GetAllocatedBytesForCurrentThread();
            path.Run();
            var measured = GC.GetAllocatedBytesForCurrentThread() - before;

            var router = new RecordRouter(new PartitionKeySelector(StreamRecordWorkload.KeyAttribute), new OutputRecordEncoder(StreamRecordWorkload.TableName, StreamRecordWorkload.StreamArn, "shardId-00000001795000000000-abcdef01"));
            long keys = 0;
            var records = StreamRecordsDecoder.Decode(path.Answer, router.KeyPath).Records;
            foreach (var record in records)
            {
                keys += StringSize(router.Route(record).PartitionKey!.Length);
            }

            long slots = ArraySize(records.Length * slotBytes);
            var unexplained = measured - keys - slots;
            var n = (double)records.Length;
            // Another object per record would leave at least 24 B × 1000 records unexplained.
            var explained = unexplained < 24 * records.Length;
            ok &= explained;
            table.Add($"{path.Answer.Length / records.Length} B", (measured / n).ToString("F0"), (keys / n).ToString("F0"), (slots / n).ToString("F0"),
                unexplained.ToString("N0"), explained ? "1 (the key string)" : "> 1");
        }

        table.Print();
        return ok;
    }

    /// <summary>A string's size on 64-bit .NET: header, method table, length, UTF-16 chars and terminator, 8-byte aligned.</summary>
    private static long StringSize(int chars) => Math.Max(24, Align(22 + (2L * chars)));

    private static long ArraySize(int bytes) => Align(24 + (long)bytes);

    private static long Align(long bytes) => (bytes + 7) & ~7L;
}
