using System.Diagnostics;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Benchmarks.Workload;
using Bridge.Filtering;
using Bridge.Output;
using SourceFilter = Bridge.Filtering.SourceFilter;

namespace Bridge.Benchmarks.Micro;

/// <summary><c>shaping</c>: what filters, projection and the native format cost and save, against the default hot path,
/// side by side in one run (paired samples, medians), over the same GetRecords answers.</summary>
internal static class ShapingCommand
{
    /// <summary>Keeps message ids below 500: half of an answer of 1000 records. On the keys, which come early in a record.</summary>
    private const string HalfByKeys = """{"dynamodb":{"Keys":{"messageId":{"N":[{"numeric":["<",500]}]}}}}""";

    /// <summary>The same on the new image: the filter reads up to the end of NewImage (about half of a record).</summary>
    private const string HalfByNewImage = """{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"messageId":{"N":[{"numeric":["<",500]}]}}}}""";

    public static int Run(bool smoke)
    {
        int rounds = smoke ? 2 : 15;
        var cases = new (string Name, OutputShape? Shape, SourceFilter? Filter)[]
        {
            ("default (StreamRecord, no filter)", null, null),
            ("Filter on Keys dropping half", null, SourceFilter.For(HalfByKeys, [], StreamRecordWorkload.StreamArn)),
            ("Filter on NewImage dropping half", null, SourceFilter.For(HalfByNewImage, [], StreamRecordWorkload.StreamArn)),
            ("Images=New", new OutputShape(OutputFormat.StreamRecord, ImageSelection.New), null),
            ("Format=KinesisDataStreamsForDynamoDB", new OutputShape(OutputFormat.KinesisDataStreamsForDynamoDB), null),
            ("KinesisDataStreamsForDynamoDB + Images=New", new OutputShape(OutputFormat.KinesisDataStreamsForDynamoDB, ImageSelection.New), null),
        };

        var table = new ResultTable($"Shaping vs the default hot path (decode + filter + route + PutRecords bodies), {rounds} paired samples of ~50 ms, medians",
            ["case", "record", "ms/answer", "records read/s", "vs default", "records forwarded", "data B/record", "B saved/record"]);
        foreach (var size in new[] { 1024, 10240 })
        {
            var paths = cases.Select(c => new HotPath(HotPathBenchmarks.Records, size, c.Shape, c.Filter)).ToArray();
            var medians = Paired(paths.Select(p => (Func<long>)p.Run).ToArray(), rounds, warmUp: !smoke);
            var defaultBytes = paths[0].DataBytes / (double)paths[0].Forwarded;
            for (var i = 0; i < cases.Length; i++)
            {
                var perRecord = paths[i].Forwarded == 0 ? 0 : paths[i].DataBytes / (double)paths[i].Forwarded;
                table.Add(
                    cases[i].Name,
                    $"{paths[0].Answer.Length / HotPathBenchmarks.Records} B",
                    medians[i].ToString("F2"),
                    (HotPathBenchmarks.Records / (medians[i] / 1e3)).ToString("N0"),
                    (medians[0] / medians[i]).ToString("P0"),
                    paths[i].Forwarded.ToString(),
                    perRecord.ToString("F0"),
                    (defaultBytes - perRecord).ToString("F0"));
            }

            // What a dropped record costs against what forwarding it would have cost (before any network), per answer.
            var page = StreamRecordsDecoder.Decode(paths[1].Answer, paths[1].KeyPath);
            // The floor under a check: a bare reader over the same bytes, up to the field the filter stops after.
            var keysField = page.Records.Select(r => EndOfMessageId(r.Json.Span, "\"Keys\""u8)).ToArray();
            var newImageField = page.Records.Select(r => EndOfMessageId(r.Json.Span, "\"NewImage\""u8)).ToArray();
            var costs = Paired(
                [() => paths[0].ForwardOnly(page), () => paths[1].FilterOnly(page), () => paths[2].FilterOnly(page), () => ReadUpTo(page, keysField), () => ReadUpTo(page, newImageField)],
                rounds,
                warmUp: !smoke);
            string record = $"{paths[0].Answer.Length / HotPathBenchmarks.Records} B";
            table.Add("  route + PutRecords body alone", record, costs[0].ToString("F2"), (HotPathBenchmarks.Records / (costs[0] / 1e3)).ToString("N0"), "", "", "", "");
            table.Add("  Keys filter check alone", record, costs[1].ToString("F2"), (HotPathBenchmarks.Records / (costs[1] / 1e3)).ToString("N0"), (costs[0] / costs[1]).ToString("P0"), "", "", "");
            table.Add("  NewImage filter check alone", record, costs[2].ToString("F2"), (HotPathBenchmarks.Records / (costs[2] / 1e3)).ToString("N0"), (costs[0] / costs[2]).ToString("P0"), "", "", "");
            table.Add("  Utf8JsonReader alone to Keys.messageId", record, costs[3].ToString("F2"), (HotPathBenchmarks.Records / (costs[3] / 1e3)).ToString("N0"), (costs[0] / costs[3]).ToString("P0"), "", "", "");
            table.Add("  Utf8JsonReader alone to NewImage.messageId", record, costs[4].ToString("F2"), (HotPathBenchmarks.Records / (costs[4] / 1e3)).ToString("N0"), (costs[0] / costs[4]).ToString("P0"), "", "", "");
        }

        table.Print();
        return 0;
    }

    /// <summary>Where the first <c>messageId</c> attribute after <paramref name="image"/> ends, in the record.</summary>
    private static int EndOfMessageId(ReadOnlySpan<byte> record, ReadOnlySpan<byte> image)
    {
        int at = record.IndexOf(image);
        at += record[at..].IndexOf("\"messageId\""u8);
        return at + record[at..].IndexOf((byte)'}');
    }

    /// <summary>Reads each record's tokens with a bare <see cref="Utf8JsonReader"/> up to its offset in <paramref name="ends"/>.</summary>
    private static long ReadUpTo(GetRecordsPage page, int[] ends)
    {
        long tokens = 0;
        for (var i = 0; i < page.Records.Length; i++)
        {
            var reader = new Utf8JsonReader(page.Records[i].Json.Span, StreamRecordShape.ReaderOptions);
            while (reader.Read() && reader.TokenStartIndex <= ends[i])
            {
                tokens++;
            }
        }

        return tokens;
    }

    /// <summary>The cases alternated sample by sample, each sample ~50 ms of repeats; the median ms per call of each.</summary>
    /// <remarks>Each case is first warmed up until the JIT has had time to recompile it at tier 1: timed from cold, the
    /// repeats were sized by an unoptimised first call and whole tables measured tier-0 code (10× slower, ratios skewed).
    /// Smoke runs skip it: their numbers mean nothing anyway.</remarks>
    private static double[] Paired(Func<long>[] cases, int rounds, bool warmUp)
    {
        foreach (var warming in warmUp ? cases : [])
        {
            var start = Stopwatch.GetTimestamp();
            for (var calls = 0; calls < 100 || Stopwatch.GetElapsedTime(start) < TimeSpan.FromMilliseconds(500); calls++)
            {
                if (Stopwatch.GetElapsedTime(start) > TimeSpan.FromSeconds(3))
                {
                    break;
                }

                warming();
            }
        }

        var repeats = cases.Select(c => Math.Max(1, (int)(50 / Math.Max(0.01, Time(c, 1))))).ToArray();
        var samples = cases.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds + 1; round++)
        {
            for (var i = 0; i < cases.Length; i++)
            {
                var ms = Time(cases[i], repeats[i]);
                if (round > 0)
                {
                    samples[i].Add(ms);
                }
            }
        }

        return [.. samples.Select(s => Percentiles.Of([.. s], 0.5))];
    }

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
