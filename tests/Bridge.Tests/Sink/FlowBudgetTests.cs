using Bridge.Sink;

namespace Bridge.Tests.Sink;

public class FlowBudgetTests
{
    [Fact]
    public async Task Waiters_are_admitted_in_arrival_order_as_room_frees()
    {
        var budget = new FlowBudget(maxRecords: 2, maxBytes: 100);
        await budget.AcquireAsync(1, 60, CancellationToken.None);
        var big = budget.AcquireAsync(1, 60, CancellationToken.None).AsTask();
        var small = budget.AcquireAsync(1, 1, CancellationToken.None).AsTask();

        // The small one would fit in bytes, but must not overtake the big one that came first.
        Assert.False(big.IsCompleted);
        Assert.False(small.IsCompleted);

        budget.Release(1, 60);
        await Task.WhenAll(big, small).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, budget.Records);
        Assert.Equal(61, budget.Bytes);
    }

    [Fact]
    public async Task A_request_larger_than_the_cap_passes_when_nothing_else_is_in_flight()
    {
        var budget = new FlowBudget(maxRecords: 10, maxBytes: 100);
        await budget.AcquireAsync(1, 1000, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1000, budget.Bytes);
    }

    [Fact]
    public async Task A_cancelled_waiter_does_not_hold_back_those_behind_it()
    {
        var budget = new FlowBudget(maxRecords: 1, maxBytes: 100);
        await budget.AcquireAsync(1, 1, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var first = budget.AcquireAsync(1, 1, cancel.Token).AsTask();
        var second = budget.AcquireAsync(1, 1, CancellationToken.None).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        budget.Release(1, 1);
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, budget.Records);
    }
}
