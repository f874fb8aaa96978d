using EgressAgent.Application.Results;
using EgressAgent.Application.Tests.Support;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Tests.Pipeline;

/// <summary>
/// Contract §10: storage faults lose nothing (the worker keeps its result and its slot and
/// retries; the agent is degraded meanwhile), and no single item stops a worker's loop.
/// </summary>
public sealed class WorkerPoolTests
{
    [Fact]
    public async Task A_result_that_cannot_be_stored_waits_in_memory_and_is_stored_exactly_once_when_storage_recovers()
    {
        await using var rig = new WorkerRig(workers: 2);
        rig.Outbox.FailNextWrites(DiskFull(), DiskFull(), DiskFull());
        rig.Start();

        rig.Run("op-1");
        await rig.Time.WaitForPendingTimerAsync();

        // Waiting: in memory only, degraded with the reason, the slot still held.
        Assert.Equal(1, rig.Outbox.Attempts);
        Assert.Empty(rig.Outbox.Stored);
        Assert.True(rig.Storage.IsDegraded);
        Assert.Equal(1, rig.Storage.ResultsWaiting);
        Assert.Equal("results cannot be stored (storage: no space left on device)", rig.Storage.DegradedReason); // what, not where
        Assert.Contains(rig.Logs.Records, r => r.Message.Contains(DiskFullMessage, StringComparison.Ordinal)); // where: in the log
        Assert.Equal(1, rig.Queue.InFlight.InFlight);
        Assert.False(await rig.PollerWasWokenAsync());
        Assert.Contains(rig.Logs.Records, r => r.Level == LogLevel.Error && r.Message.StartsWith("Storage degraded", StringComparison.Ordinal));

        await rig.AdvanceUntilAsync(() => rig.Outbox.Stored.Count > 0, "the result is stored");
        await Eventually.UntilAsync(() => rig.Queue.InFlight.InFlight == 0, "the worker frees its slot");

        var stored = Assert.Single(rig.Outbox.Stored);
        Assert.Equal("op-1", stored.OperationId);
        Assert.Equal("op-1", stored.Result["__mcd_result__"]!["echo"]!.GetValue<string>());
        Assert.Equal(4, rig.Outbox.Attempts);
        Assert.False(rig.Storage.IsDegraded);
        Assert.Null(rig.Storage.DegradedReason);
        Assert.True(await rig.PollerWasWokenAsync(), "recovery wakes the poller, which skipped its turns");
        Assert.Contains(rig.Logs.Records, r => r.Message.StartsWith("Storage recovered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retries_back_off_from_100_ms_up_to_5_s()
    {
        await using var rig = new WorkerRig(workers: 1);
        rig.Outbox.FailEveryWrite = DiskFull();
        rig.Start();

        rig.Run("op-1");
        await rig.AdvanceUntilAsync(() => rig.Outbox.Attempts >= 12, "twelve attempts");

        // Full jitter: each delay is drawn under a ceiling that doubles from 100 ms to the 5 s cap.
        var delays = rig.Time.DueTimes;
        Assert.True(delays.Count >= 11, $"{delays.Count} retry delays");
        Assert.InRange(delays[0], TimeSpan.Zero, DurableResultWriter.FirstRetryCeiling);
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, DurableResultWriter.MaxRetryCeiling));
        Assert.True(rig.Storage.IsDegraded);
        Assert.Empty(rig.Outbox.Stored);
    }

    [Fact]
    public async Task Shutdown_ends_the_wait_and_the_lost_result_is_logged_with_its_operation_id()
    {
        await using var rig = new WorkerRig(workers: 2);
        rig.Outbox.FailEveryWrite = DiskFull();
        rig.Start();
        rig.Run("op-lost");
        await rig.Time.WaitForPendingTimerAsync();
        Assert.True(rig.Storage.IsDegraded);

        rig.Tokens.CancelWork(); // the end of the drain: cancel what still runs

        await Eventually.UntilAsync(() => rig.Queue.InFlight.InFlight == 0, "the worker gives up and frees its slot");
        Assert.Empty(rig.Outbox.Stored);
        Assert.False(rig.Storage.IsDegraded);
        Assert.Contains(rig.Logs.Records, r => r.Level == LogLevel.Error
            && r.Message.Contains("op-lost", StringComparison.Ordinal)
            && r.Message.Contains("is lost", StringComparison.Ordinal));
        Assert.DoesNotContain(rig.Logs.Records, r => r.Message.StartsWith("Storage recovered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_result_the_store_cannot_write_is_replaced_by_an_error_result_instead_of_retrying_forever()
    {
        await using var rig = new WorkerRig(workers: 1);
        rig.Outbox.FailNextWrites(new InvalidOperationException("value not serialisable"));
        rig.Start();

        rig.Run("op-1");

        await Eventually.UntilAsync(() => rig.Outbox.Stored.Count > 0, "an error result is stored");
        var stored = Assert.Single(rig.Outbox.Stored);
        Assert.Equal("op-1", stored.OperationId);
        Assert.Equal("The result could not be stored: value not serialisable", stored.Result["__mcd_error__"]!.GetValue<string>());
        Assert.Equal(nameof(InvalidOperationException), stored.Result["__mcd_error_type__"]!.GetValue<string>());
        Assert.Equal(2, rig.Outbox.Attempts);
        Assert.Equal(0, rig.Storage.ResultsWaiting);
    }

    [Fact]
    public async Task A_worker_goes_on_after_an_exception_around_one_operation()
    {
        await using var rig = new WorkerRig(workers: 1);
        rig.Start();

        // A bookkeeping fault around one item: it entered without a slot, so freeing one throws.
        rig.Queue.Enqueue(WorkerRig.Envelope("op-without-slot"));
        await Eventually.UntilAsync(
            () => rig.Logs.Records.Any(r => r.Level == LogLevel.Error && r.Message.Contains("Handling operation op-without-slot failed unexpectedly", StringComparison.Ordinal)),
            "the fault is logged with the operation's id");

        rig.Run("op-next");

        await Eventually.UntilAsync(() => rig.Outbox.Stored.Any(s => s.OperationId == "op-next"), "the only worker runs the next operation");
        Assert.False(rig.Running.IsCompleted, "the pool's loops still run");
    }

    [Fact]
    public async Task An_executor_that_runs_out_of_memory_ends_in_one_ResourceExhausted_result_and_the_worker_runs_the_next_operation()
    {
        // The real pool, runner and writer; only the executor is the test's (no release build has a hook to run out of memory).
        await using var rig = new WorkerRig(workers: 1);
        rig.Execute = context => context.OperationId == "op-oom" ? throw new OutOfMemoryException("Array dimensions exceeded supported range.") : null;
        rig.Start();

        rig.Run("op-oom");
        await Eventually.UntilAsync(() => rig.Outbox.Stored.Count == 1, "the operation's one result is stored");
        // The slot is released just after the result is stored: wait for it, or the next Run races it.
        await Eventually.UntilAsync(() => rig.Queue.InFlight.InFlight == 0, "the failed operation's slot is free again");
        rig.Run("op-next");
        await Eventually.UntilAsync(() => rig.Outbox.Stored.Count == 2, "the only worker runs the next operation");
        await Eventually.UntilAsync(() => rig.Queue.InFlight.InFlight == 0, "both slots are free again");

        var failed = Assert.Single(rig.Outbox.Stored, s => s.OperationId == "op-oom").Result;
        Assert.Equal("ResourceExhausted", failed["__mcd_error_type__"]!.GetValue<string>());
        Assert.Equal("Resource exhausted: the agent ran out of memory while running the operation", failed["__mcd_error__"]!.GetValue<string>());
        Assert.Equal("op-next", Assert.Single(rig.Outbox.Stored, s => s.OperationId == "op-next").Result["__mcd_result__"]!["echo"]!.GetValue<string>());
        Assert.Equal(1, rig.Queue.InFlight.Capacity);
        Assert.True(rig.Queue.InFlight.TryReserve(), "the whole capacity is free: no slot went with the failure");
        _ = rig.Queue.InFlight.Release();
        Assert.DoesNotContain(rig.Logs.Records, r => r.Message.Contains("died", StringComparison.Ordinal));
        Assert.False(rig.Running.IsCompleted, "the pool's loops still run");
    }

    [Fact]
    public async Task A_worker_whose_loop_dies_anyway_is_logged_and_replaced_and_capacity_stays_whole()
    {
        await using var rig = new WorkerRig(workers: 1);
        rig.Start();

        // The worker's own safety net fails: logging the fault around one item throws, which ends its loop.
        rig.Logs.ThrowOn = message => message.StartsWith("Handling operation op-without-slot", StringComparison.Ordinal);
        rig.Queue.Enqueue(WorkerRig.Envelope("op-without-slot"));
        await Eventually.UntilAsync(
            () => rig.Logs.Records.Any(r => r.Level == LogLevel.Error
                && r.Message.StartsWith("Worker 1 died (", StringComparison.Ordinal)
                && r.Message.Contains("the log sink failed", StringComparison.Ordinal)
                && r.Message.EndsWith("a new worker takes its place", StringComparison.Ordinal)),
            "the death is logged");

        rig.Run("op-next");

        await Eventually.UntilAsync(() => rig.Outbox.Stored.Any(s => s.OperationId == "op-next"), "the replacement runs the next operation");
        await Eventually.UntilAsync(() => rig.Queue.InFlight.InFlight == 0, "its slot is free again");
        Assert.False(rig.Running.IsCompleted, "the pool's loops still run");
    }

    private const string DiskFullMessage = "No space left on device : '/var/lib/egress-agent/outbox/op-1.json.tmp'";

    /// <summary>As .NET throws it on Unix: strerror and the path in the message, the errno (ENOSPC) as HResult.</summary>
    private static IOException DiskFull() => new(DiskFullMessage, 28);
}
