using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Bridge.Benchmarks.Micro;

/// <summary><c>micro</c>: the hot path against its ceiling (BenchmarkDotNet), then a paired ratio and an allocation account.</summary>
internal static class MicroCommand
{
    public static int Run(bool smoke)
    {
        // In-process: no second build of this project, so the smoke stays fast and the numbers need no generated project.
        var job = (smoke ? Job.Dry : Job.Default.WithWarmupCount(3).WithIterationCount(10))
            .WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .WithOption(ConfigOptions.DisableLogFile, true)
            .WithOption(ConfigOptions.JoinSummary, true);
        var summary = BenchmarkRunner.Run<HotPathBenchmarks>(config);
        if (summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success))
        {
            Console.Error.WriteLine("micro: a benchmark case failed");
            return 1;
        }

        var table = new ResultTable("Hot path vs ceiling (BenchmarkDotNet, one op = one GetRecords answer of 1000 records)",
            ["case", "record", "mean ms/op", "records/s", "MB/s in", "B alloc/record", "vs ceiling"]);
        foreach (var size in new[] { 1024, 10240 })
        {
            var reports = summary.Reports.Where(r => (int)r.BenchmarkCase.Parameters["RecordBytes"] == size).ToList();
            var answerBytes = new HotPath(HotPathBenchmarks.Records, size).Answer.Length;
            var ceiling = reports.Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(HotPathBenchmarks.Ceiling)).ResultStatistics!.Mean;
            foreach (var report in reports)
            {
                var meanNs = report.ResultStatistics!.Mean;
                var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
                table.Add(
                    report.BenchmarkCase.Descriptor.WorkloadMethod.Name,
                    $"{answerBytes / HotPathBenchmarks.Records} B",
                    (meanNs / 1e6).ToString("F2"),
                    (HotPathBenchmarks.Records / (meanNs / 1e9)).ToString("N0"),
                    (answerBytes / 1e6 / (meanNs / 1e9)).ToString("F0"),
                    (allocated / (double)HotPathBenchmarks.Records).ToString("F0"),
                    (ceiling / meanNs).ToString("P0"));
            }
        }

        table.Print();
        PrintPaired(smoke ? 2 : 25);
        return AllocationAccount.Print() ? 0 : 1;
    }

    /// <summary>Hot path and ceiling alternated sample by sample, so both see the same noise from the machine's other
    /// users; each sample repeats its side for about 50 ms so that garbage collections are spread evenly over the
    /// samples. The ratio of the median times is reported.</summary>
    private static void PrintPaired(int rounds)
    {
        var table = new ResultTable($"Paired: hot path and ceiling alternated, {rounds} samples of ~50 ms each, medians",
            ["record", "hot path ms/answer", "ceiling ms/answer", "hot path throughput / ceiling"]);
        foreach (var size in new[] { 1024, 10240 })
        {
            var path = new HotPath(HotPathBenchmarks.Records, size);
            var repeat = Math.Max(1, (int)(50 / Math.Max(0.01, Time(path.Run, 1))));
            var hot = new List<double>();
            var ceiling = new List<double>();
            for (var i = 0; i < rounds + 1; i++)
            {
                var a = Time(path.Run, repeat);
                var b = Time(path.RunCeiling, repeat);
                if (i >= 1)
                {
                    hot.Add(a);
                    ceiling.Add(b);
                }
            }

            var hotMedian = Percentiles.Of([.. hot], 0.5);
            var ceilingMedian = Percentiles.Of([.. ceiling], 0.5);
            table.Add($"{path.Answer.Length / path.Records} B", hotMedian.ToString("F2"), ceilingMedian.ToString("F2"), (ceilingMedian / hotMedian).ToString("P0"));
        }

        table.Print();
    }

    /// <returns>Milliseconds per call, over <paramref name="repeat"/> calls.</returns>
    private static double Time(Func<long> action, int repeat)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < repeat; i++)
        {
            action();
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / repeat;
    }
}
