using EgressAgent.Application.Health;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Application.Tests.Liveness;

/// <summary>The progress signal behind <c>/livez</c> (docs/adr/0024): waiting is alive, a step past its bound is stuck.</summary>
public sealed class LoopHeartbeatsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly SteppedWallClock _time = new();
    private readonly LoopHeartbeats _heartbeats;

    public LoopHeartbeatsTests() => _heartbeats = new LoopHeartbeats(_time);

    [Fact]
    public void A_loop_waiting_between_steps_is_never_stuck_however_long_it_waits()
    {
        _heartbeats.Working(AgentLoops.Poller, Bound).Dispose();

        _time.Advance(TimeSpan.FromDays(3));

        Assert.Empty(_heartbeats.Stuck());
    }

    [Fact]
    public void A_step_is_stuck_only_once_it_is_open_longer_than_its_bound_and_the_loop_is_named()
    {
        using var step = _heartbeats.Working(AgentLoops.Poller, Bound);

        _time.Advance(Bound);
        Assert.Empty(_heartbeats.Stuck());

        _time.Advance(TimeSpan.FromSeconds(1));
        var stuck = Assert.Single(_heartbeats.Stuck());
        Assert.Equal(AgentLoops.Poller, stuck.Loop);
        Assert.Equal(Bound + TimeSpan.FromSeconds(1), stuck.WorkingFor);
        Assert.Contains("poller: one step working for 61 s, bound 60 s", stuck.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_that_ended_late_is_forgotten_once_it_ends()
    {
        var step = _heartbeats.Working(AgentLoops.Heartbeat, Bound);
        _time.Advance(Bound * 2);
        Assert.Single(_heartbeats.Stuck());

        step.Dispose();

        Assert.Empty(_heartbeats.Stuck());
    }

    [Fact]
    public void Concurrent_steps_each_keep_their_own_start_and_bound()
    {
        using var shortOne = _heartbeats.Working(AgentLoops.Workers, TimeSpan.FromSeconds(10));
        using var longOne = _heartbeats.Working(AgentLoops.Workers, TimeSpan.FromMinutes(10));
        _time.Advance(TimeSpan.FromSeconds(30));
        using var later = _heartbeats.Working(AgentLoops.Workers, TimeSpan.FromSeconds(10));

        var stuck = Assert.Single(_heartbeats.Stuck());
        Assert.Equal(TimeSpan.FromSeconds(10), stuck.Bound);
        Assert.Equal(TimeSpan.FromSeconds(30), stuck.WorkingFor);
    }

    [Theory]
    [InlineData(24 * 60)] // forward a day
    [InlineData(-60)] // back an hour
    public void A_wall_clock_step_makes_no_step_stuck_and_hides_none(int minutes)
    {
        // docs/protocol.md §10 "Time": steps are timed on the monotonic clock. Timed on the wall
        // clock, a step forward made every open step "stuck" (a pod restarted for nothing) and a
        // step back hid a real hang for an hour.
        using var step = _heartbeats.Working(AgentLoops.Publisher, Bound);
        _time.Advance(TimeSpan.FromSeconds(10));

        _time.StepWallClock(TimeSpan.FromMinutes(minutes));
        Assert.Empty(_heartbeats.Stuck());

        _time.Advance(Bound);
        var stuck = Assert.Single(_heartbeats.Stuck());
        Assert.Equal(Bound + TimeSpan.FromSeconds(10), stuck.WorkingFor);
    }
}
