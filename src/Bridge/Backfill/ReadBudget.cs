namespace Bridge.Backfill;

/// <summary>The scan's read budget: a token bucket of read capacity units, refilled at a fixed rate, holding at most one second's worth.</summary>
/// <remarks>
/// A Scan page's cost is known only after it is read, so a page is started whenever the balance is not negative
/// and its cost is then spent, possibly into debt; the next page waits until the debt is paid back. Over any
/// window the units spent stay within rate × window plus one page. Shared by every segment of one worker.
/// </remarks>
internal sealed class ReadBudget
{
    private readonly Lock _lock = new();
    private readonly double _unitsPerSecond;
    private readonly TimeProvider _time;

    /// <summary>Units available now; negative while a page spent more than was saved up.</summary>
    private double _balance;

    /// <summary>When <see cref="_balance"/> was last refilled (a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    private long _refilledAt;

    public ReadBudget(double unitsPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(unitsPerSecond);
        _unitsPerSecond = unitsPerSecond;
        _time = time;
        _balance = unitsPerSecond;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Waits until the balance is not negative.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TimeSpan wait;
            lock (_lock)
            {
                Refill();
                if (_balance >= 0)
                {
                    return;
                }

                wait = TimeSpan.FromSeconds(-_balance / _unitsPerSecond);
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Charges what a page cost.</summary>
    public void Spend(double units)
    {
        lock (_lock)
        {
            Refill();
            _balance -= units;
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        _balance = Math.Min(_unitsPerSecond, _balance + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * _unitsPerSecond));
        _refilledAt = now;
    }
}
