using BenchmarkDotNet.Attributes;

namespace Bridge.Benchmarks.Micro;

/// <summary>BenchmarkDotNet cases: one operation is one GetRecords answer of <see cref="Records"/> records.</summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    public const int Records = 1000;

    private HotPath _path = null!;

    /// <summary>Approximate size of one stream record, in bytes.</summary>
    [Params(1024, 10240)]
    public int RecordBytes { get; set; }

    [GlobalSetup]
    public void Setup() => _path = new HotPath(Records, RecordBytes);

    [Benchmark(Baseline = true, Description = "Ceiling: Utf8JsonReader pass + Utf8JsonWriter bodies")]
    public long Ceiling() => _path.RunCeiling();

    [Benchmark(Description = "Hot path: Decode + Route + PutRecordsBody.Write")]
    public long HotPath() => _path.Run();

    [Benchmark(Description = "Decode only (StreamRecordsDecoder)")]
    public int Decode() => _path.Decode();

    [Benchmark(Description = "Encode only (PutRecordsBody.Write)")]
    public long Encode() => _path.Encode();
}
