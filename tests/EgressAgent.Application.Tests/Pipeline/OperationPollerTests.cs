using EgressAgent.Application.Intake;
using EgressAgent.Application.Tests.Support;

namespace EgressAgent.Application.Tests.Pipeline;

public sealed class OperationPollerTests
{
    [Fact]
    public async Task At_start_it_fetches_until_the_orchestrator_answers_204()
    {
        await using var rig = new PollerRig(capacity: 8);
        rig.AnswerWith(Envelopes.Fetched("op-1"));
        rig.AnswerWith(Envelopes.Fetched("op-2"));
        rig.AnswerWith(Envelopes.Fetched("op-3"));

        rig.Start();
        await rig.SettledAfterAsync(calls: 4, timersBefore: 0);

        Assert.Equal(4, rig.Calls);
        Assert.Equal(["op-1", "op-2", "op-3"], rig.DrainQueue());
        Assert.Equal(3, rig.InFlight.InFlight);
    }

    [Fact]
    public async Task At_capacity_it_stops_fetching_even_when_woken()
    {
        await using var rig = new PollerRig(capacity: 2);
        for (var i = 0; i < 10; i++)
        {
            rig.AnswerWith(Envelopes.Fetched($"op-{i}"));
        }

        rig.Start();
        await rig.SettledAfterAsync(calls: 2, timersBefore: 0);

        // Piggybacked work may push past capacity; wake-ups and idle polls must still not fetch.
        rig.Intake.AcceptAssigned(Envelopes.Fetched("next-1"), "next_operation");
        var timers = rig.Time.TimersCreated;
        rig.Signal.Signal();
        await rig.Time.WaitForPendingTimerAsync(createdAfter: timers, dueTime: PollerRig.PollInterval);
        timers = rig.Time.TimersCreated;
        rig.Time.Advance(PollerRig.PollInterval);
        await rig.Time.WaitForPendingTimerAsync(createdAfter: timers, dueTime: PollerRig.PollInterval);

        Assert.Equal(2, rig.Calls);
        Assert.Equal(1, rig.MaxConcurrentCalls);
        Assert.All(rig.InFlightAtCalls, seen => Assert.InRange(seen, 1, 2));
        Assert.Equal(3, rig.InFlight.InFlight);
    }

    [Fact]
    public async Task While_a_result_waits_to_be_stored_it_fetches_nothing_and_fetches_again_when_woken_after_recovery()
    {
        await using var rig = new PollerRig(capacity: 8);
        rig.AnswerWith(Envelopes.Fetched("op-1"));
        rig.Storage.StartWaiting("results cannot be stored (IOException: No space left on device)");

        rig.Start();
        await rig.Time.WaitForPendingTimerAsync(dueTime: PollerRig.PollInterval);

        // Neither a wake-up (work_available) nor the idle poll fetches while intake is paused.
        var timers = rig.Time.TimersCreated;
        rig.Signal.Signal();
        await rig.Time.WaitForPendingTimerAsync(createdAfter: timers, dueTime: PollerRig.PollInterval);
        timers = rig.Time.TimersCreated;
        rig.Time.Advance(PollerRig.PollInterval);
        await rig.Time.WaitForPendingTimerAsync(createdAfter: timers, dueTime: PollerRig.PollInterval);
        Assert.Equal(0, rig.Calls);

        // Recovery: the writer clears the wait and wakes the poller.
        timers = rig.Time.TimersCreated;
        rig.Storage.StopWaiting();
        rig.Signal.Signal();

        await rig.SettledAfterAsync(calls: 2, timersBefore: timers);
        Assert.Equal(["op-1"], rig.DrainQueue());
    }

    [Fact]
    public async Task A_signal_during_a_fetch_causes_another_fetch_right_after_it()
    {
        await using var rig = new PollerRig(capacity: 8);
        var firstFetch = new TaskCompletionSource<FetchedOperation?>(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Answer(_ => firstFetch.Task);

        rig.Start();
        await Eventually.UntilAsync(() => rig.Calls == 1, "the first fetch is in flight");
        rig.Signal.Signal();
        firstFetch.SetResult(null);

        // No time passes: only the signal that arrived mid-fetch can cause the second call.
        await Eventually.UntilAsync(() => rig.Calls == 2, "a second fetch follows the signal");
        await rig.SettledAfterAsync(calls: 2, timersBefore: 0);
        Assert.Equal(2, rig.Calls);
    }

    [Fact]
    public async Task A_failing_fetch_does_not_stop_the_poller()
    {
        await using var rig = new PollerRig(capacity: 8);
        rig.Answer(_ => Task.FromException<FetchedOperation?>(new HttpRequestException("503")));
        rig.AnswerWith(Envelopes.Fetched("op-1"));

        rig.Start();
        await rig.SettledAfterAsync(calls: 1, timersBefore: 0);
        Assert.Equal(0, rig.InFlight.InFlight);

        var timers = rig.Time.TimersCreated;
        rig.Signal.Signal();
        await rig.SettledAfterAsync(calls: 3, timersBefore: timers);

        Assert.Equal(["op-1"], rig.DrainQueue());
        Assert.Equal(1, rig.InFlight.InFlight);
    }

    [Fact]
    public async Task An_invalid_envelope_is_skipped_and_fetching_goes_on()
    {
        await using var rig = new PollerRig(capacity: 8);
        rig.AnswerWith(Envelopes.Raw("""{"path":"/api/v1/agent/execute/test/op","operation":{}}"""));
        rig.AnswerWith(Envelopes.Raw("""{"operation_id":"op-x","path":""}"""));
        rig.AnswerWith(Envelopes.Fetched("op-1"));

        rig.Start();
        await rig.SettledAfterAsync(calls: 4, timersBefore: 0);

        Assert.Equal(["op-1"], rig.DrainQueue());
        Assert.Equal(1, rig.InFlight.InFlight);
    }

    [Fact]
    public async Task An_envelope_with_an_id_that_is_not_valid_unicode_is_skipped_and_the_poller_goes_on()
    {
        // The envelope that once threw out of the intake and stopped the host (docs/protocol.md §10).
        await using var rig = new PollerRig(capacity: 8);
        rig.AnswerWith(Envelopes.Raw("""{"operation_id":"op\ud800","path":"/api/v1/agent/execute/test/op","operation":{}}"""));
        rig.AnswerWith(Envelopes.Raw("""{"\udc00":1,"operation_id":"op-1","path":"/api/v1/agent/execute/test/op","operation":{"trace_id":"\ud800"}}"""));
        rig.AnswerWith(Envelopes.Fetched("op-2"));

        rig.Start();
        await rig.SettledAfterAsync(calls: 4, timersBefore: 0);

        Assert.False(rig.Running.IsCompleted);
        Assert.Equal(["op-1", "op-2"], rig.DrainQueue());
        Assert.Equal(2, rig.InFlight.InFlight);

        // Still polling on its trigger.
        var timers = rig.Time.TimersCreated;
        rig.Signal.Signal();
        await rig.SettledAfterAsync(calls: 5, timersBefore: timers);
    }

    [Fact]
    public async Task Capacity_freed_from_saturation_fetches_at_once_without_waiting_for_the_poll_interval()
    {
        await using var rig = new PollerRig(capacity: 1);
        rig.AnswerWith(Envelopes.Fetched("op-1"));
        rig.AnswerWith(Envelopes.Fetched("op-2"));

        rig.Start();
        await rig.SettledAfterAsync(calls: 1, timersBefore: 0);
        Assert.True(rig.InFlight.IsSaturated);
        var startedAt = rig.Time.GetUtcNow();

        // What a worker does when it finishes: free the slot, and wake the poller if that ended saturation.
        Assert.Equal(["op-1"], rig.DrainQueue());
        Assert.True(rig.Queue.ReleaseSlot());
        rig.Signal.Signal();

        await Eventually.UntilAsync(() => rig.Calls == 2, "the freed slot is refilled");
        Assert.Equal(startedAt, rig.Time.GetUtcNow());
        await Eventually.UntilAsync(() => rig.Queue.Reader.Count == 1, "op-2 is queued");
        Assert.Equal(["op-2"], rig.DrainQueue());
    }

    [Fact]
    public async Task When_idle_it_polls_again_after_the_poll_interval()
    {
        await using var rig = new PollerRig(capacity: 8);

        rig.Start();
        await rig.SettledAfterAsync(calls: 1, timersBefore: 0);
        var timers = rig.Time.TimersCreated;
        rig.Time.Advance(PollerRig.PollInterval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, rig.Calls);

        rig.Time.Advance(TimeSpan.FromMilliseconds(1));

        await rig.SettledAfterAsync(calls: 2, timersBefore: timers);
        Assert.Equal(2, rig.Calls);
    }

    [Fact]
    public async Task Stopping_intake_ends_the_poller()
    {
        await using var rig = new PollerRig(capacity: 8);
        rig.Start();
        await rig.SettledAfterAsync(calls: 1, timersBefore: 0);

        rig.Tokens.StopIntake(discardAssignedWork: false);

        await rig.Running.CompletesAsync();
        Assert.Equal(1, rig.Calls);
    }
}
