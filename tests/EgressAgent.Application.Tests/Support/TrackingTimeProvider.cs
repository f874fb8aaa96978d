using EgressAgent.Tests.Shared;

namespace EgressAgent.Application.Tests.Support;

/// <summary>
/// A <see cref="SteppedWallClock"/> (a FakeTimeProvider whose wall clock can be stepped) that reports the timers the code under test creates. Time
/// may only be moved once the code is parked on its timer: advancing earlier would start the
/// timer late and make the test measure the test, not the code.
/// </summary>
internal sealed class TrackingTimeProvider : SteppedWallClock
{
    private readonly Lock _gate = new();
    private readonly List<TrackedTimer> _timers = [];

    public TrackingTimeProvider()
        : base(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public int TimersCreated
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    public int TimersFired
    {
        get
        {
            lock (_gate)
            {
                return _timers.Sum(t => t.FireCount);
            }
        }
    }

    /// <summary>The due time every timer was created with, in creation order.</summary>
    public IReadOnlyList<TimeSpan> DueTimes
    {
        get
        {
            lock (_gate)
            {
                return _timers.Select(t => t.InitialDueTime).ToList();
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(dueTime, period);
        lock (_gate)
        {
            _timers.Add(tracked);
        }

        tracked.Inner = base.CreateTimer(
            s =>
            {
                tracked.OnFired();
                callback(s);
            },
            state,
            dueTime,
            period);
        return tracked;
    }

    /// <summary>
    /// Waits until a timer created at index <paramref name="createdAfter"/> or later is armed and
    /// not yet fired, i.e. the code under test went back to waiting. Returns its due time.
    /// </summary>
    public async Task<TimeSpan> WaitForPendingTimerAsync(int createdAfter = 0, TimeSpan? dueTime = null)
    {
        TimeSpan found = default;
        await Eventually.UntilAsync(
            () =>
            {
                lock (_gate)
                {
                    var match = _timers.Skip(createdAfter).FirstOrDefault(t => t.IsPending && (dueTime is null || t.InitialDueTime == dueTime));
                    found = match?.InitialDueTime ?? default;
                    return match is not null;
                }
            },
            $"a timer{(dueTime is { } d ? $" due in {d}" : string.Empty)} is armed (created after #{createdAfter})");
        return found;
    }

    /// <summary>True when some timer is armed: code under test is parked on time.</summary>
    public bool HasPendingTimer
    {
        get
        {
            lock (_gate)
            {
                return _timers.Any(t => t.IsPending);
            }
        }
    }

    private sealed class TrackedTimer(TimeSpan dueTime, TimeSpan period) : ITimer
    {
        private readonly Lock _gate = new();
        private TimeSpan _dueTime = dueTime;
        private TimeSpan _period = period;
        private bool _firedSinceArmed;
        private bool _disposed;
        private int _fireCount;

        public ITimer Inner { get; set; } = null!;

        public TimeSpan InitialDueTime { get; } = dueTime;

        public int FireCount => Volatile.Read(ref _fireCount);

        public bool IsPending
        {
            get
            {
                lock (_gate)
                {
                    return !_disposed
                        && _dueTime != Timeout.InfiniteTimeSpan
                        && (!_firedSinceArmed || _period != Timeout.InfiniteTimeSpan);
                }
            }
        }

        public void OnFired()
        {
            Interlocked.Increment(ref _fireCount);
            lock (_gate)
            {
                _firedSinceArmed = true;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                _dueTime = dueTime;
                _period = period;
                _firedSinceArmed = false;
            }

            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
