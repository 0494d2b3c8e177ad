using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Bridge.Testing;

/// <summary>A <see cref="FakeTimeProvider"/> that reports every timer created on it, so a test can see which delay the
/// code under test asked for and advance exactly past it, with no wall-clock waiting.</summary>
public sealed class RecordingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public RecordingTimeProvider() : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public RecordingTimeProvider(DateTimeOffset start) : base(start)
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _timers.Writer.TryWrite(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>The due time of the next timer created that <paramref name="match"/> accepts; earlier others are dropped.</summary>
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> match, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var due = await _timers.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (match(due))
            {
                return due;
            }
        }
    }
}
