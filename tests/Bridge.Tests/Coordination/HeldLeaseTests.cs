using Bridge.Coordination;
using Bridge.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Bridge.Tests.Coordination;

/// <summary>One acquisition's writes when an answer is lost: a write that landed must not cost the lease, a real loss must.</summary>
public class HeldLeaseTests
{
    private const string Stream = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/s";
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly AnswerLosingStore _store = new(new InMemoryLeaseStore());

    [Fact]
    public async Task A_checkpoint_whose_answer_was_lost_is_recognised_at_the_next_write_and_the_lease_is_kept()
    {
        var held = await TakeAsync("w1");

        _store.LoseNextAnswer = true;
        await Assert.ThrowsAsync<TimeoutException>(() => held.TryCheckpointAsync(Checkpoint.Latest, default));
        Assert.True(await held.TryRenewAsync(default));

        Assert.False(held.IsLost);
        var stored = await _store.GetAsync(held.LeaseKey, default);
        Assert.Equal(("w1", Checkpoint.Latest), (stored!.Owner, stored.Checkpoint));
        Assert.Equal(stored, held.Current);
        Assert.True(await held.TryCheckpointAsync(Checkpoint.ShardEnd, default));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Any_number_of_answers_lost_in_a_row_within_the_lease_duration_are_recognised_as_our_own_writes(int lostInARow)
    {
        var held = await TakeAsync("w1");
        var counter = held.Current.Counter;

        _store.AnswersToRefuseAfterApplying = lostInARow;
        Assert.True(await held.TryCheckpointAsync(Checkpoint.Latest, default));

        Assert.False(held.IsLost);
        var stored = await _store.GetAsync(held.LeaseKey, default);
        Assert.Equal(("w1", Checkpoint.Latest, counter + lostInARow + 1), (stored!.Owner, stored.Checkpoint, stored.Counter));
        Assert.Equal(stored, held.Current);
        Assert.True(await held.TryRenewAsync(default));
    }

    [Fact]
    public async Task Answers_lost_for_longer_than_the_lease_duration_lose_the_lease()
    {
        var held = await TakeAsync("w1");

        // Each lost answer costs the SDK 4 s (timeout and retry): the third ends past the 10 s lease duration.
        _store.AnswersToRefuseAfterApplying = 5;
        _store.TimePerLostAnswer = (_time, TimeSpan.FromSeconds(4));

        Assert.False(await held.TryCheckpointAsync(Checkpoint.Latest, default));
        Assert.True(held.IsLost);
        Assert.Equal(2, _store.AnswersToRefuseAfterApplying);
    }

    [Fact]
    public async Task A_lease_taken_by_another_worker_is_still_lost_even_after_a_lost_answer()
    {
        var held = await TakeWithALostRenewalAsync();
        Assert.NotNull(await TakeAwayAsync(held, "w2"));

        Assert.False(await held.TryCheckpointAsync(Checkpoint.Latest, default));
        Assert.True(held.IsLost);
        Assert.Equal("w2", (await _store.GetAsync(held.LeaseKey, default))!.Owner);
    }

    [Fact]
    public async Task An_old_acquisition_stays_lost_when_the_same_worker_took_the_lease_again_meanwhile()
    {
        var held = await TakeWithALostRenewalAsync();

        // w2 takes it, then w1 takes it back: a new acquisition with w1's name, two counters further.
        await TakeAwayAsync(held, "w2");
        Assert.NotNull(await TakeAwayAsync(held, "w1"));

        Assert.False(await held.TryCheckpointAsync(Checkpoint.Latest, default));
        Assert.True(held.IsLost);
        Assert.Null((await _store.GetAsync(held.LeaseKey, default))!.Checkpoint);
    }

    [Fact]
    public async Task A_write_refused_with_no_earlier_write_in_doubt_loses_the_lease()
    {
        var held = await TakeAsync("w1");
        Assert.NotNull(await TakeAwayAsync(held, "w2"));

        Assert.False(await held.TryRenewAsync(default));
        Assert.True(held.IsLost);
    }

    /// <summary>w1's acquisition, whose first renewal was applied but never answered.</summary>
    private async Task<HeldLease> TakeWithALostRenewalAsync()
    {
        var held = await TakeAsync("w1");
        _store.LoseNextAnswer = true;
        await Assert.ThrowsAsync<TimeoutException>(() => held.TryRenewAsync(default));
        return held;
    }

    /// <summary>Another take of the stored lease (as another worker, or as a new acquisition of the same one).</summary>
    private async Task<Lease?> TakeAwayAsync(HeldLease held, string owner) =>
        await _store.TryTakeAsync((await _store.GetAsync(held.LeaseKey, default))!, owner, default);

    private async Task<HeldLease> TakeAsync(string owner)
    {
        await _store.TryCreateAsync(Lease.New(Stream, "A", null), default);
        var taken = await _store.TryTakeAsync((await _store.GetAsync(Lease.KeyOf(Stream, "A"), default))!, owner, default);
        return new HeldLease(_store, taken!, _time.GetTimestamp(), Duration, _time);
    }

    /// <summary>Applies every write; with <see cref="LoseNextAnswer"/>, the next one's answer never arrives (a timeout);
    /// with <see cref="AnswersToRefuseAfterApplying"/>, as many writes in a row answer "refused" although they were applied,
    /// as the AWS SDK does when it retries an attempt whose answer was lost and the retry's condition fails.</summary>
    private sealed class AnswerLosingStore(ILeaseStore inner) : ILeaseStore
    {
        public bool LoseNextAnswer { get; set; }

        public int AnswersToRefuseAfterApplying { get; set; }

        /// <summary>The clock each lost answer advances, and by how much (the SDK's timeout and retry).</summary>
        public (FakeTimeProvider Time, TimeSpan Step)? TimePerLostAnswer { get; set; }

        public Task EnsureCreatedAsync(CancellationToken cancellationToken) => inner.EnsureCreatedAsync(cancellationToken);

        public Task<IReadOnlyList<Lease>> ListAsync(IReadOnlyCollection<string> streamArns, CancellationToken cancellationToken) => inner.ListAsync(streamArns, cancellationToken);

        public Task<Lease?> GetAsync(string leaseKey, CancellationToken cancellationToken) => inner.GetAsync(leaseKey, cancellationToken);

        public Task<bool> TryCreateAsync(Lease lease, CancellationToken cancellationToken) => inner.TryCreateAsync(lease, cancellationToken);

        public Task<Lease?> TryTakeAsync(Lease seen, string owner, CancellationToken cancellationToken) => inner.TryTakeAsync(seen, owner, cancellationToken);

        public Task<Lease?> TryRenewAsync(Lease held, CancellationToken cancellationToken) => MaybeLoseAsync(inner.TryRenewAsync(held, cancellationToken));

        public Task<Lease?> TryCheckpointAsync(Lease held, Checkpoint checkpoint, CancellationToken cancellationToken) =>
            MaybeLoseAsync(inner.TryCheckpointAsync(held, checkpoint, cancellationToken));

        public Task<bool> TryRequestHandoffAsync(Lease seen, string requester, CancellationToken cancellationToken) => inner.TryRequestHandoffAsync(seen, requester, cancellationToken);

        public Task<bool> TryReleaseAsync(Lease held, CancellationToken cancellationToken) => inner.TryReleaseAsync(held, cancellationToken);

        public Task<bool> TryDeleteAsync(Lease seen, CancellationToken cancellationToken) => inner.TryDeleteAsync(seen, cancellationToken);

        private async Task<Lease?> MaybeLoseAsync(Task<Lease?> write)
        {
            var written = await write;
            if (written is not null && AnswersToRefuseAfterApplying > 0)
            {
                AnswersToRefuseAfterApplying--;
                if (TimePerLostAnswer is var (time, step))
                {
                    time.Advance(step);
                }

                return null;
            }

            if (LoseNextAnswer)
            {
                LoseNextAnswer = false;
                throw new TimeoutException("The answer was lost (the write was applied).");
            }

            return written;
        }
    }
}
