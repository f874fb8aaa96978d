using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Tests.Shared;

/// <summary>
/// A <see cref="FakeTimeProvider"/> whose wall clock can be stepped, forward or back, without
/// moving its monotonic clock: <see cref="FakeTimeProvider.Advance"/> moves both (like time
/// passing), <see cref="StepWallClock"/> only what <see cref="GetUtcNow"/> says (like NTP, an
/// operator or a restored VM snapshot). <see cref="FakeTimeProvider.SetUtcNow"/> is no help here:
/// it moves <see cref="FakeTimeProvider.GetTimestamp"/> and the timers too, and refuses to go back.
/// </summary>
public class SteppedWallClock : FakeTimeProvider
{
    private long _offsetTicks;

    public SteppedWallClock()
    {
    }

    public SteppedWallClock(DateTimeOffset startTime)
        : base(startTime)
    {
    }

    /// <summary>How far the wall clock stands from the monotonic one (zero until stepped).</summary>
    public TimeSpan WallClockOffset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Steps the wall clock by <paramref name="step"/>; timestamps and timers stay where they are.</summary>
    public void StepWallClock(TimeSpan step) => Interlocked.Add(ref _offsetTicks, step.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + WallClockOffset;

    /// <summary>
    /// The fake's own time, without the step: FakeTimeProvider derives its timestamps from the
    /// virtual <see cref="GetUtcNow"/>, so without this override a step would move them too.
    /// </summary>
    public override long GetTimestamp() => base.GetUtcNow().UtcTicks; // TimestampFrequency is TimeSpan.TicksPerSecond
}
