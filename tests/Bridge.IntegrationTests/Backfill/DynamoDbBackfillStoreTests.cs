using Bridge.Backfill;
using Bridge.Coordination;
using Bridge.IntegrationTests.Forwarding;

namespace Bridge.IntegrationTests.Backfill;

/// <summary>The backfill run and segment items on DynamoDB Local: conditional writes fence out a worker that lost a segment,
/// a run is started and finished once, and the items stay out of the shard-lease listing that shares their table.</summary>
public sealed class DynamoDbBackfillStoreTests(ChatEmulators aws) : IClassFixture<ChatEmulators>
{
    [Fact]
    public async Task The_first_starter_fixes_the_run_and_every_segment_exists_unowned()
    {
        var store = await StoreAsync("bf-store-start");

        var run = await store.StartRunAsync(new BackfillRun("orders", "r1", 3, DateTimeOffset.FromUnixTimeSeconds(60)), CancellationToken.None);
        var again = await store.StartRunAsync(new BackfillRun("orders", "r1", 9, DateTimeOffset.FromUnixTimeSeconds(120)), CancellationToken.None);

        Assert.Equal(run, again);
        Assert.Equal(3, again.TotalSegments);
        var segments = await store.ListSegmentsAsync(run, CancellationToken.None);
        Assert.Equal([0, 1, 2], segments.Select(s => s.Segment));
        Assert.All(segments, s => Assert.True(s.Owner is null && !s.IsDone && s.ResumeKey is null && s.Counter == 0));
    }

    [Fact]
    public async Task A_worker_that_lost_its_segment_can_no_longer_checkpoint_it()
    {
        var store = await StoreAsync("bf-store-fence");
        var run = await store.StartRunAsync(new BackfillRun("orders", "r1", 2, DateTimeOffset.UnixEpoch), CancellationToken.None);
        var free = (await store.ListSegmentsAsync(run, CancellationToken.None))[1];

        var a = await store.TryTakeAsync(free, "worker-a", CancellationToken.None);
        Assert.NotNull(a);
        Assert.Null(await store.TryTakeAsync(free, "worker-b", CancellationToken.None));
        var checkpointed = await store.TryCheckpointAsync(a, """{"k":{"S":"x"}}""", done: false, CancellationToken.None);
        Assert.Equal("""{"k":{"S":"x"}}""", checkpointed!.ResumeKey);

        // B saw the counter stand still long enough and takes it over; A's next write is refused.
        var b = await store.TryTakeAsync(checkpointed, "worker-b", CancellationToken.None);
        Assert.Equal("worker-b", b!.Owner);
        Assert.Equal("""{"k":{"S":"x"}}""", b.ResumeKey);
        Assert.Null(await store.TryCheckpointAsync(checkpointed, """{"k":{"S":"y"}}""", done: false, CancellationToken.None));
        Assert.False(await store.TryReleaseAsync(checkpointed, CancellationToken.None));

        var done = await store.TryCheckpointAsync(b, null, done: true, CancellationToken.None);
        Assert.True(done!.IsDone);
        Assert.Null(done.ResumeKey);
        Assert.Null(await store.TryTakeAsync(done, "worker-c", CancellationToken.None));
    }

    [Fact]
    public async Task A_run_is_finished_once_and_its_items_stay_out_of_the_lease_listing()
    {
        var leases = new DynamoDbLeaseStore(aws.DynamoDbClient, "bf-store-finish", TimeProvider.System);
        var store = await StoreAsync("bf-store-finish");
        var run = await store.StartRunAsync(new BackfillRun("orders", "r1", 2, DateTimeOffset.UnixEpoch), CancellationToken.None);
        await leases.TryCreateAsync(Lease.New("arn:aws:dynamodb:ddblocal:000000000000:table/orders/stream/x", "shardId-1", null), CancellationToken.None);

        var finished = await store.FinishRunAsync(run, DateTimeOffset.FromUnixTimeSeconds(100), CancellationToken.None);
        var second = await store.FinishRunAsync(run, DateTimeOffset.FromUnixTimeSeconds(200), CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(100), finished.FinishedAt);
        Assert.Equal(finished, second);
        Assert.Equal(finished, await store.GetRunAsync("orders", "r1", CancellationToken.None));
        Assert.Null(await store.GetRunAsync("orders", "r2", CancellationToken.None));
        var listed = await leases.ListAsync(["arn:aws:dynamodb:ddblocal:000000000000:table/orders/stream/x"], CancellationToken.None);
        Assert.Equal("shardId-1", Assert.Single(listed).ShardId);
    }

    [Fact]
    public async Task A_snapshot_floor_is_released_only_on_a_finished_run_and_once()
    {
        var store = await StoreAsync("bf-store-floor");
        var run = await store.StartRunAsync(new BackfillRun("orders", BackfillRun.SnapshotRunId, 1, DateTimeOffset.UnixEpoch), CancellationToken.None);

        await Assert.ThrowsAsync<Amazon.DynamoDBv2.Model.ConditionalCheckFailedException>(() => store.ReleaseFloorAsync(run, DateTimeOffset.FromUnixTimeSeconds(50), CancellationToken.None));
        Assert.Null((await store.GetRunAsync("orders", BackfillRun.SnapshotRunId, CancellationToken.None))!.FloorReleasedAt);

        var finished = await store.FinishRunAsync(run, DateTimeOffset.FromUnixTimeSeconds(100), CancellationToken.None);
        var released = await store.ReleaseFloorAsync(finished, DateTimeOffset.FromUnixTimeSeconds(200), CancellationToken.None);
        var again = await store.ReleaseFloorAsync(finished, DateTimeOffset.FromUnixTimeSeconds(300), CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(200), released.FloorReleasedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(100), released.FinishedAt);
        Assert.Equal(released, again);
        Assert.Equal(released, await store.GetRunAsync("orders", BackfillRun.SnapshotRunId, CancellationToken.None));
    }

    private async Task<DynamoDbBackfillStore> StoreAsync(string table)
    {
        await new DynamoDbLeaseStore(aws.DynamoDbClient, table, TimeProvider.System).EnsureCreatedAsync(CancellationToken.None);
        return new DynamoDbBackfillStore(aws.DynamoDbClient, table, TimeProvider.System);
    }
}
