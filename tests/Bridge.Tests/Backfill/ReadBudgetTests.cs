using Bridge.Backfill;
using Microsoft.Extensions.Time.Testing;

namespace Bridge.Tests.Backfill;

public class ReadBudgetTests
{
    [Fact]
    public async Task A_page_within_the_saved_up_second_starts_at_once()
    {
        var time = new FakeTimeProvider();
        var budget = new ReadBudget(100, time);

        budget.Spend(100);

        await budget.WaitAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_page_that_overspent_makes_the_next_wait_until_the_debt_is_repaid()
    {
        var time = new FakeTimeProvider();
        var budget = new ReadBudget(100, time);
        budget.Spend(350);

        var next = budget.WaitAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(2.4));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));

        await next;
    }

    [Fact]
    public async Task Saving_up_stops_at_one_second_of_units()
    {
        var time = new FakeTimeProvider();
        var budget = new ReadBudget(100, time);
        time.Advance(TimeSpan.FromMinutes(10));
        budget.Spend(150);

        var next = budget.WaitAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(0.4));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));

        await next;
    }

    [Fact]
    public async Task A_waiting_page_is_cancelled_by_its_token()
    {
        var budget = new ReadBudget(1, new FakeTimeProvider());
        budget.Spend(1000);
        using var cancel = new CancellationTokenSource();

        var next = budget.WaitAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
    }
}
