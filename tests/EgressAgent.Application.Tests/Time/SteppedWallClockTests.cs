using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Application.Tests.Time;

/// <summary>
/// The test clock behind the wall-clock-step tests (docs/adr/0042) does what they assume: a step
/// moves the wall clock only. And why it exists: FakeTimeProvider.SetUtcNow moves the monotonic
/// clock too, and refuses to go back.
/// </summary>
public sealed class SteppedWallClockTests
{
    [Fact]
    public async Task A_step_moves_the_wall_clock_and_neither_timestamps_nor_timers()
    {
        var time = new SteppedWallClock();
        var wall = time.GetUtcNow();
        var stamp = time.GetTimestamp();
        var delay = Task.Delay(TimeSpan.FromSeconds(10), time);

        time.StepWallClock(TimeSpan.FromDays(1));
        time.StepWallClock(-TimeSpan.FromHours(1));

        Assert.Equal(wall + TimeSpan.FromHours(23), time.GetUtcNow());
        Assert.Equal(stamp, time.GetTimestamp());
        Assert.Equal(TimeSpan.Zero, time.GetElapsedTime(stamp));
        Assert.False(delay.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(10));
        await delay.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(TimeSpan.FromSeconds(10), time.GetElapsedTime(stamp));
        Assert.Equal(wall + TimeSpan.FromHours(23) + TimeSpan.FromSeconds(10), time.GetUtcNow());
    }

    [Fact]
    public void FakeTimeProvider_SetUtcNow_moves_the_monotonic_clock_and_cannot_go_back()
    {
        var time = new FakeTimeProvider();
        var stamp = time.GetTimestamp();

        time.SetUtcNow(time.GetUtcNow() + TimeSpan.FromDays(1));

        Assert.Equal(TimeSpan.FromDays(1), time.GetElapsedTime(stamp));
        Assert.Throws<ArgumentOutOfRangeException>(() => time.SetUtcNow(time.GetUtcNow() - TimeSpan.FromHours(1)));
    }
}
