using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Bridge.Benchmarks.Simulation;
using Bridge.Coordination;
using Bridge.Testing;

namespace Bridge.Benchmarks.Checkpointing;

/// <summary><c>checkpoint-cost</c>: what a shorter <c>Bridge:Checkpoints:Interval</c> costs in DynamoDB writes and money,
/// and what it saves in records re-sent after a crash, for a busy and a quiet shard, side by side in one run.</summary>
/// <remarks>
/// The real engine (in process) reads simulated source shards at a fixed rate and sends to a simulated Kinesis; its
/// leases and checkpoints go to DynamoDB Local through the real <see cref="DynamoDbLeaseStore"/>, counted on the way
/// (<see cref="CountingLeaseStore"/>). Every lease-table write of a held lease is either a checkpoint or a renewal, one
/// write request unit each (a lease item is far below 1 KB). Renewals do not depend on the interval; they are shown so
/// the checkpoints' share of the bill is visible.
/// </remarks>
internal static class CheckpointCostCommand
{
    /// <summary>DynamoDB on-demand, us-east-1, standard table class: USD per million write request units, the list price
    /// since the 1 November 2024 reduction (check the current price for your region).</summary>
    public const double PricePerMillionWrites = 0.625;

    /// <summary>The month of AWS pricing: 730 hours.</summary>
    private const double MinutesPerMonth = 730 * 60;

    private const int Shards = 4;
    private const int BusyRecordsPerSecond = 300;

    public static async Task<int> RunAsync(bool smoke)
    {
        var window = TimeSpan.FromSeconds(smoke ? 3 : 60);
        var warmup = TimeSpan.FromSeconds(smoke ? 1 : 5);
        await using var dynamoDbLocal = await LocalAws.StartDynamoDbLocalAsync();
        using var dynamoDb = new AmazonDynamoDBClient(EmulatorProcess.Credentials, new AmazonDynamoDBConfig
        {
            ServiceURL = dynamoDbLocal.Endpoint.ToString(),
            AuthenticationRegion = EmulatorProcess.Region,
        });

        var table = new ResultTable(
            $"Lease-table writes per shard, {Shards} shards, {window.TotalSeconds:0} s measured after {warmup.TotalSeconds:0} s; cost at ${PricePerMillionWrites} per million on-demand writes (us-east-1, list price since 2024-11-01)",
            ["Checkpoints:Interval", "shard", "checkpoints/min", "renewals/min", "writes/shard-month", "USD/shard-month", "re-sent after kill -9 (at most, computed)"]);
        var run = 0;
        foreach (var interval in new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5) })
        {
            foreach (var rate in new[] { BusyRecordsPerSecond, 0 })
            {
                var store = new CountingLeaseStore(new DynamoDbLeaseStore(dynamoDb, $"checkpoint-cost-{run++}", TimeProvider.System));
                var (checkpoints, renewals) = await MeasureAsync(store, interval, rate, warmup, window);
                var writesPerMonth = (checkpoints + renewals) * MinutesPerMonth;
                table.Add(
                    $"{interval.TotalSeconds:0} s",
                    rate == 0 ? "quiet (no changes)" : $"busy ({rate} changes/s)",
                    checkpoints.ToString("F1", CultureInfo.InvariantCulture),
                    renewals.ToString("F1", CultureInfo.InvariantCulture),
                    writesPerMonth.ToString("N0", CultureInfo.InvariantCulture),
                    (writesPerMonth / 1e6 * PricePerMillionWrites).ToString("F2", CultureInfo.InvariantCulture),
                    (rate * interval.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture));
            }
        }

        table.Print();
        Console.WriteLine("Re-sent after kill -9: the records acknowledged since the last checkpoint, at most changes/s × interval (half that on average), plus the batches in flight.");
        return 0;
    }

    /// <returns>Checkpoint and renewal writes per shard per minute.</returns>
    private static async Task<(double Checkpoints, double Renewals)> MeasureAsync(CountingLeaseStore store, TimeSpan interval, int rate, TimeSpan warmup, TimeSpan window)
    {
        var time = TimeProvider.System;
        var stream = new SimulatedStream(Shards, rate, recordBytes: 300, time);
        var kinesis = new SimulatedKinesis(shards: 4, time);
        var options = InProcessBridge.DefaultOptions();
        options.Checkpoints.Interval = interval;
        await using var bridge = new InProcessBridge(stream, kinesis, options, leases: store);
        await bridge.Started.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(warmup);
        bridge.ThrowIfFaulted();

        long checkpoints0 = store.Checkpoints, renewals0 = store.Renewals;
        var start = Stopwatch.GetTimestamp();
        await Task.Delay(window);
        bridge.ThrowIfFaulted();
        var minutes = Stopwatch.GetElapsedTime(start).TotalMinutes * Shards;
        return ((store.Checkpoints - checkpoints0) / minutes, (store.Renewals - renewals0) / minutes);
    }
}
