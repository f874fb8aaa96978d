using System.Diagnostics;
using System.Runtime.InteropServices;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>Contract §7: goodbye stops without a drain, and one sequence serves every trigger.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class GoodbyeShutdownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Goodbye_cancels_a_running_operation_at_once_without_a_result_sends_E4_once_and_exits_zero()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var id = emulator.Enqueue(Wire.Sleep, Wire.SleepFor(TimeSpan.FromSeconds(60)));
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Operations:PollInterval", "00:00:30")
            .Set("Shutdown:Budget", "00:00:20"));
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);
        await EmulatorWaits.WaitUntilHeldAsync(emulator, id, Bound);

        var sinceGoodbye = Stopwatch.StartNew();
        emulator.SendEvent(new { type = "goodbye", reason = "rebalancing" });
        var exitCode = await agent.WaitForExitAsync(Bound);
        var elapsed = sinceGoodbye.Elapsed;
        output.WriteLine($"exited {elapsed} after goodbye");

        Assert.Equal(0, exitCode);

        // No drain: far below the 20 s budget (the cancelled work gets 0.5 s, then E4).
        Assert.True(elapsed <= TimeSpan.FromSeconds(3), $"Exited {elapsed} after goodbye.");
        Assert.Single(emulator.Requests, Wire.IsShutdownNotice);
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == id);
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown started by Goodbye (rebalancing)", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown finished (Goodbye); exit code 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Goodbye_and_SIGTERM_fifty_milliseconds_apart_run_one_sequence_with_exactly_one_E4_and_exit_zero()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());

        // A result whose delivery takes 3 s keeps goodbye's flush step, and so the process,
        // alive when the SIGTERM arrives: the signal must meet the sequence, not a dead pid.
        emulator.ResultResponseDelay = TimeSpan.FromSeconds(3);
        var id = emulator.Enqueue(Wire.Echo, new() { ["n"] = 1 });
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);
        await agent.WaitForLineAsync(l => l.Contains($"Operation {id} finished with success", StringComparison.Ordinal), Bound);

        emulator.SendEvent(new { type = "goodbye", reason = "rebalancing" });
        await Task.Delay(TimeSpan.FromMilliseconds(50));
        agent.Signal(PosixSignal.SIGTERM);
        var exitCode = await agent.WaitForExitAsync(Bound);

        Assert.Equal(0, exitCode);
        Assert.Single(emulator.Requests, Wire.IsShutdownNotice);

        // Which trigger wins is a real race (the event crosses the stream, the signal does not);
        // either way one sequence runs, and the SIGTERM reached it rather than the runtime's
        // default handler: it either started the sequence or waited for it.
        var started = Assert.Single(agent.Lines, l => l.Contains("Shutdown started by ", StringComparison.Ordinal));
        var signalFirst = started.Contains("Shutdown started by Signal (SIGTERM)", StringComparison.Ordinal);
        output.WriteLine(signalFirst ? "SIGTERM won the race" : "goodbye won the race");
        if (signalFirst)
        {
            Assert.Contains(agent.Lines, l => l.Contains("Shutdown finished (Signal); exit code 0", StringComparison.Ordinal));
        }
        else
        {
            Assert.Contains("Shutdown started by Goodbye (rebalancing)", started, StringComparison.Ordinal);
            Assert.Contains(agent.Lines, l => l.Contains("Shutdown already under way; Signal (SIGTERM) waits for it", StringComparison.Ordinal));
            Assert.Contains(agent.Lines, l => l.Contains("Shutdown finished (Goodbye); exit code 0", StringComparison.Ordinal));
        }

        Assert.Single(agent.Lines, l => l.Contains("Shutdown finished (", StringComparison.Ordinal));
    }
}
