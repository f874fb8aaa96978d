using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also records the due time of every timer created on it
/// (Task.Delay and CancellationTokenSource both create one). A test can then wait until the code
/// under test has started a delay and read its exact length before advancing the clock.
/// </summary>
internal sealed class ObservedTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _timers = [];
    private int _cursor;

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public Pulse Changed { get; } = new();

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        lock (_gate)
        {
            _timers.Add(dueTime);
        }

        Changed.Notify();
        return timer;
    }

    public void Advance(TimeSpan by) => Fake.Advance(by);

    /// <summary>
    /// The due time of the next timer created since the last call that matches
    /// <paramref name="match"/>; timers that do not match are passed over.
    /// </summary>
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> match, string what)
    {
        TimeSpan found = default;
        await Changed.WaitUntilAsync(
            () =>
            {
                lock (_gate)
                {
                    while (_cursor < _timers.Count)
                    {
                        var due = _timers[_cursor++];
                        if (match(due))
                        {
                            found = due;
                            return true;
                        }
                    }

                    return false;
                }
            },
            what);
        return found;
    }
}
