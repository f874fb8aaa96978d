using EgressAgent.Soak.Checking;

namespace EgressAgent.Soak.Tests;

/// <summary>The soak's checker fails when it must: each broken invariant of a hand-written history is reported, and each outcome the contract allows is not.</summary>
public sealed class InvariantCheckerTests
{
    [Fact]
    public void A_history_in_which_every_operation_was_answered_once_passes()
    {
        var report = new HistoryBuilder().Life("i-1").HandOut("op-1", "i-1").Result("op-1", "i-1").HandOut("op-2", "i-1").Result("op-2", "i-1").Check();

        Assert.Empty(report.Violations);
        Assert.Equal((2, 2, 0), (report.HandedOut, report.Delivered, report.Redeliveries));
    }

    [Fact]
    public void A_lost_result_a_double_delivery_with_another_body_and_a_leaked_secret_are_each_reported()
    {
        var history = new HistoryBuilder()
            .Life("i-1")
            .HandOut("lost", "i-1").Result("lost", "i-1", status: 503) // refused once, never delivered
            .HandOut("twice", "i-1").Result("twice", "i-1", body: "first").Result("twice", "i-1", body: "second")
            .HandOut("fine", "i-1").Result("fine", "i-1");
        history.Secrets.Add(new SecretFinding("orchestrator token", "the output of agent 0 pid 1000"));

        var report = history.Check();

        Assert.Equal(
            [
                "handed out and never answered (§5.3, §6.4): lost (echo) handed to agent 0 pid 1000 (ended: FinalStop)",
                "delivered more than once with different bodies (§3 E2, §5.3): twice: 2 deliveries",
                "secret in output (§2, §9, §12.1): orchestrator token in the output of agent 0 pid 1000",
            ],
            report.Violations.Select(v => v.ToString()));
        Assert.False(report.Passed);
    }

    [Fact]
    public void The_same_body_delivered_again_is_allowed_as_E2_idempotency_and_counted()
    {
        var report = new HistoryBuilder().Life("i-1").HandOut("op-1", "i-1").Result("op-1", "i-1").Result("op-1", "i-1").Check();

        Assert.Empty(report.Violations);
        Assert.Equal(1, report.Redeliveries);
    }

    [Fact]
    public void Operations_of_a_killed_process_or_one_stopped_with_E4_or_carried_by_a_cut_answer_may_end_without_a_result()
    {
        var history = new HistoryBuilder()
            .Life("killed", slot: 1, end: LifeEnd.Killed, exitCode: 137, e4: false, stopSeconds: null)
            .Life("goodbye", slot: 1, end: LifeEnd.Goodbye, stopSeconds: null)
            .Life("sigterm", slot: 1, end: LifeEnd.Sigterm)
            .Life("steady")
            .HandOut("a", "killed").HandOut("b", "goodbye").HandOut("c", "sigterm")
            .HandOut("carrier", "steady").Result("carrier", "steady").HandOut("carried", "steady", carriedBy: "carrier");
        history.CutResultAnswers.Add("carrier");

        var report = history.Check();

        Assert.Empty(report.Violations);
        Assert.Equal(
            [
                ("a", "running when its process was killed (§6.4)"),
                ("b", "cancelled by goodbye, requeued after E4 (§7.3)"),
                ("c", "cancelled by SIGTERM, requeued after E4 (§7.3)"),
                ("carried", "next_operation in an E2 answer the network cut (§3 E2)"),
            ],
            report.Excused);
    }

    [Fact]
    public void A_graceful_stop_without_E4_excuses_nothing_and_is_itself_reported()
    {
        var report = new HistoryBuilder().Life("i-1", end: LifeEnd.Goodbye, e4: false).HandOut("op-1", "i-1").Check();

        Assert.Equal(
            ["handed out and never answered (§5.3, §6.4)", "graceful shutdown without E4 (§7.4)"],
            report.Violations.Select(v => v.Invariant));
    }

    [Fact]
    public void A_removed_data_directory_excuses_what_was_handed_out_before_it_went_and_nothing_after()
    {
        var history = new HistoryBuilder().Life("i-1", slot: 2).HandOut("before", "i-1");
        history.Removals.Add(new DataDirectoryRemoval(2, history.Now()));
        history.HandOut("after", "i-1");

        var report = history.Check();

        Assert.Equal([("before", "its result went with the removed data directory (§6.4)")], report.Excused);
        Assert.Equal("handed out and never answered (§5.3, §6.4)", Assert.Single(report.Violations).Invariant);
    }

    [Fact]
    public void A_result_nobody_asked_for_one_for_a_skipped_envelope_and_one_with_another_trace_id_are_reported()
    {
        var report = new HistoryBuilder()
            .Life("i-1")
            .Result("invented", "i-1")
            .HandOut("no-path", "i-1", reachesAWorker: false).Result("no-path", "i-1")
            .HandOut("op-1", "i-1").Result("op-1", "i-1", trace: "trace-op-2")
            .Check();

        Assert.Equal(
            [
                "result for an operation never handed out (§5.3): invented",
                "result for an envelope that never reaches a worker (§5.1): no-path",
                "result with another operation's trace id (§5.1, §5.3): op-1: expected trace-op-1, got trace-op-2",
            ],
            report.Violations.Select(v => v.ToString()));
    }

    [Fact]
    public void Wrong_exit_codes_a_slow_stop_an_exit_nobody_asked_for_and_a_process_still_running_are_reported()
    {
        var report = new HistoryBuilder()
            .Life("crashed", end: LifeEnd.OnItsOwn, exitCode: 1)
            .Life("sigterm-1", end: LifeEnd.Sigterm, exitCode: 1)
            .Life("slow", end: LifeEnd.FinalStop, stopSeconds: 8.5)
            .Life("running", end: LifeEnd.Running, exitCode: null)
            .Life("killed", end: LifeEnd.Killed, exitCode: 137, e4: false)
            .Check();

        Assert.Equal(
            [
                "exited without being asked (§8): agent 0 pid 1000 exited 1",
                "unexpected exit code (§8): agent 0 pid 1001 ended by Sigterm exited 1, expected 0",
                "shutdown longer than the budget + 2 s (§7.6): agent 0 pid 1002: 8.50 s after SIGTERM (bound 8.0 s)",
                "still running at the end: agent 0 pid 1003",
            ],
            report.Violations.Select(v => v.ToString()));
    }

    [Fact]
    public void A_SIGTERM_before_the_process_said_anything_may_end_it_by_the_signal_but_not_once_it_has_spoken()
    {
        var report = new HistoryBuilder()
            .Life("early", end: LifeEnd.Sigterm, exitCode: 143, e4: false, spoke: false)
            .Life("late", end: LifeEnd.Sigterm, exitCode: 143, e4: false)
            .Check();

        Assert.Equal([("agent 0 pid 1000", "SIGTERM before it sent any request: ended by the signal (143)")], report.Excused);
        Assert.Equal(
            [
                "unexpected exit code (§8): agent 0 pid 1001 ended by Sigterm exited 143, expected 0",
                "graceful shutdown without E4 (§7.4): agent 0 pid 1001 ended by Sigterm",
            ],
            report.Violations.Select(v => v.ToString()));
    }

    [Fact]
    public void Memory_grown_past_the_bound_work_left_queued_and_results_left_in_an_outbox_are_reported()
    {
        var history = new HistoryBuilder { QueuedAtEnd = 3 };
        history.Memory.Add(new MemoryReading(0, StartMiB: 100, EndMiB: 150)); // bound: 100 + 24 + 25 = 149
        history.Memory.Add(new MemoryReading(1, StartMiB: 100, EndMiB: 149));
        history.OutboxPendingAtEnd[0] = 0;
        history.OutboxPendingAtEnd[1] = 2;

        var report = history.Check();

        Assert.Equal(
            [
                "memory not flat: agent 0: RSS 100.0 MiB after warm-up, 150.0 MiB at the end (bound 149.0 MiB)",
                "work left unfetched after the drain (§6.1): 3 operation(s) still queued",
                "results left undelivered after the drain (§6.4): agent 1: 2 result(s) still in its outbox",
            ],
            report.Violations.Select(v => v.ToString()));
    }
}
