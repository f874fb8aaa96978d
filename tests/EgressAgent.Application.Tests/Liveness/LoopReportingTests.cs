using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Tests.Pipeline;
using EgressAgent.Application.Tests.Support;

namespace EgressAgent.Application.Tests.Liveness;

/// <summary>
/// A real loop's reports, read as <c>/livez</c> reads them: the poller waiting for work for hours
/// is alive; the poller whose E1 never ends — a hang its own timeout should have cut — is stuck.
/// </summary>
public sealed class LoopReportingTests
{
    [Fact]
    public async Task A_poller_waiting_for_work_is_alive_however_long_nothing_comes()
    {
        await using var rig = new PollerRig(capacity: 2);
        rig.Start();
        await rig.SettledAfterAsync(calls: 1, timersBefore: 0);

        for (var i = 0; i < 5; i++)
        {
            // An hour parked on its idle timer, which fires once: one E1 (204), parked again.
            var timers = rig.Time.TimersCreated;
            rig.Time.Advance(TimeSpan.FromHours(1));
            await rig.Time.WaitForPendingTimerAsync(createdAfter: timers, dueTime: PollerRig.PollInterval);
            Assert.Empty(rig.Heartbeats.Stuck());
        }

        Assert.Equal(6, rig.Calls);
    }

    [Fact]
    public async Task A_poller_whose_fetch_never_ends_is_stuck_once_the_E1_timeout_and_the_slack_have_passed()
    {
        await using var rig = new PollerRig(capacity: 2);
        var never = new TaskCompletionSource<FetchedOperation?>();
        rig.Answer(_ => never.Task); // ignores even cancellation: the hang a restart cures
        rig.Start();
        await Eventually.UntilAsync(() => rig.Calls == 1, "E1 was called");

        rig.Time.Advance(AgentLoops.FetchBound(new EndpointTimeoutOptions()));
        Assert.Empty(rig.Heartbeats.Stuck());

        rig.Time.Advance(TimeSpan.FromSeconds(1));
        var stuck = Assert.Single(rig.Heartbeats.Stuck());
        Assert.Equal(AgentLoops.Poller, stuck.Loop);

        never.SetResult(null); // it came back after all: alive again
        await Eventually.UntilAsync(() => rig.Heartbeats.Stuck().Count == 0, "the step ended");
    }
}
