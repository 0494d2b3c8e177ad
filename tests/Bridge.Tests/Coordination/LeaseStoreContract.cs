using Bridge.Aws.DynamoDbStreams;
using Bridge.Coordination;
using Bridge.Source;

namespace Bridge.Tests.Coordination;

/// <summary>What every <see cref="ILeaseStore"/> promises; the in-memory fake and DynamoDB Local both inherit the whole suite.</summary>
/// <remarks>Each test works on a stream ARN of its own, so implementations may share one table across tests.</remarks>
public abstract class LeaseStoreContract
{
    private readonly string _stream = $"arn:aws:dynamodb:us-east-1:000000000000:table/t{Guid.NewGuid():N}/stream/x";

    protected abstract Task<ILeaseStore> CreateStoreAsync();

    [Fact]
    public async Task Create_stores_a_lease_only_if_absent()
    {
        var store = await CreateStoreAsync();
        Assert.True(await store.TryCreateAsync(Lease.New(_stream, "a", null), default));
        Assert.False(await store.TryCreateAsync(Lease.New(_stream, "a", "p", Checkpoint.Latest), default));
        var listed = Assert.Single(await store.ListAsync([_stream], default));
        Assert.Equal(Lease.New(_stream, "a", null), listed);
    }

    [Fact]
    public async Task List_returns_only_the_given_streams_leases_with_parent_and_checkpoint()
    {
        var store = await CreateStoreAsync();
        await store.TryCreateAsync(Lease.New(_stream, "a", null, Checkpoint.ShardEnd), default);
        await store.TryCreateAsync(Lease.New(_stream, "b", "a", Checkpoint.Latest), default);
        await store.TryCreateAsync(Lease.New(_stream + "-other", "c", null), default);
        var listed = (await store.ListAsync([_stream], default)).OrderBy(l => l.ShardId).ToList();
        Assert.Equal(["a", "b"], listed.Select(l => l.ShardId));
        Assert.True(listed[0].IsFinished);
        Assert.Equal("a", listed[1].ParentShardId);
        Assert.Equal(Checkpoint.Latest, listed[1].Checkpoint);
    }

    [Fact]
    public async Task Take_succeeds_once_for_a_counter_and_bumps_it()
    {
        var store = await CreateStoreAsync();
        await store.TryCreateAsync(Lease.New(_stream, "a", null), default);
        var seen = Assert.Single(await store.ListAsync([_stream], default));
        var first = await store.TryTakeAsync(seen, "w1", default);
        var second = await store.TryTakeAsync(seen, "w2", default);
        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal(("w1", seen.Counter + 1), (first.Owner, first.Counter));
        Assert.Equal(first, Assert.Single(await store.ListAsync([_stream], default)));
    }

    [Fact]
    public async Task Get_reads_the_lease_as_stored_now_or_null()
    {
        var store = await CreateStoreAsync();
        await store.TryCreateAsync(Lease.New(_stream, "a", null), default);
        var taken = await store.TryTakeAsync(Assert.Single(await store.ListAsync([_stream], default)), "w1", default);
        var checkpointed = await store.TryCheckpointAsync(taken!, Checkpoint.Latest, default);

        Assert.Equal(checkpointed, await store.GetAsync(Lease.KeyOf(_stream, "a"), default));
        Assert.Null(await store.GetAsync(Lease.KeyOf(_stream, "ghost"), default));
    }

    [Fact]
    public async Task Take_of_a_missing_lease_fails_and_creates_nothing()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.TryTakeAsync(Lease.New(_stream, "ghost", null), "w1", default));
        Assert.Empty(await store.ListAsync([_stream], default));
    }

    [Fact]
    public async Task Renew_and_checkpoint_are_fenced_once_another_worker_took_the_lease()
    {
        var store = await CreateStoreAsync();
        await store.TryCreateAsync(Lease.New(_stream, "a", null), default);
        var mine = (await store.TryTakeAsync(Assert.Single(await store.ListAsync([_stream], default)), "w1", default))!;
        var renewed = await store.TryRenewAsync(mine, default);
        Assert.Equal(mine.Counter + 1, renewed!.Counter);
        var checkpointed = await store.TryCheckpointAsync(renewed, Checkpoint.After(SequenceNumber.Parse("100")), default);
        Assert.Equal(renewed.Counter + 1, checkpointed!.Counter);

        // A stale acquisition (older counter) can no longer write, even as the owner.
        Assert.Null(await store.TryRenewAsync(renewed, default));

        var stolen = await store.TryTakeAsync(checkpointed, "w2", default);
        Assert.NotNull(stolen);
        Assert.Null(await store.TryRenewAsync(checkpointed, default));
        Assert.Null(await store.TryCheckpointAsync(checkpointed, Checkpoint.After(SequenceNumber.Parse("200")), default));
        Assert.False(await store.TryReleaseAsync(checkpointed, default));
        var stored = Assert.Single(await store.ListAsync([_stream], default));
        Assert.Equal(("w2", "100"), (stored.Owner, stored.Checkpoint.ToString()));
    }

    [Fact]
    public async Task Release_removes_the_owner_and_keeps_the_checkpoint()
    {
        var store = await CreateStoreAsync();
        await store.TryCreateAsync(Lease.New(_stream, "a", null), default);
        var mine = (await store.TryTakeAsync(Assert.Single(await store.ListAsync([_stream], default)), "w1", default))!;
        mine = (await store.TryCheckpointAsync(mine, Checkpoint.After(SequenceNumber.Parse("42")), default))!;
        Assert.True(await store.TryReleaseAsync(mine, default));
        var stored = Assert.Single(await store.ListAsync([_stream], default));
        Assert.Null(stored.Owner);
        Assert.Equal("42", stored.Checkpoint.ToString());
        Assert.NotNull(await store.TryTakeAsync(stored, "w2", default));
    }

    [Fact]
    public async Task Handoff_request_is_seen_by_the_holder_at_its_next_renewal_and_cleared_by_the_next_take()
    {
        var store = await CreateStoreAsync();
        await store.TryCreateAsync(Lease.New(_stream, "a", null), default);
        var mine = (await store.TryTakeAsync(Assert.Single(await store.ListAsync([_stream], default)), "w1", default))!;
        Assert.True(await store.TryRequestHandoffAsync(mine, "w2", default));
        Assert.False(await store.TryRequestHandoffAsync(mine with { Owner = "w9" }, "w2", default));
        var renewed = (await store.TryRenewAsync(mine, default))!;
        Assert.Equal("w2", renewed.PendingOwner);
        Assert.True(await store.TryReleaseAsync(renewed, default));
        var released = Assert.Single(await store.ListAsync([_stream], default));
        Assert.Equal((null, "w2"), (released.Owner, released.PendingOwner));
        var taken = (await store.TryTakeAsync(released, "w2", default))!;
        Assert.Equal(("w2", null), (taken.Owner, taken.PendingOwner));
    }

    [Fact]
    public async Task Delete_is_conditional_on_the_counter()
    {
        var store = await CreateStoreAsync();
        await store.TryCreateAsync(Lease.New(_stream, "a", null, Checkpoint.ShardEnd), default);
        var seen = Assert.Single(await store.ListAsync([_stream], default));
        await store.TryTakeAsync(seen, "w1", default);
        Assert.False(await store.TryDeleteAsync(seen, default));
        Assert.True(await store.TryDeleteAsync(Assert.Single(await store.ListAsync([_stream], default)), default));
        Assert.Empty(await store.ListAsync([_stream], default));
    }
}
