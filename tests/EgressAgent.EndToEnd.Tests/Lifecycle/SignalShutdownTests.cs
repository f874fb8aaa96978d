using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>Contract §7 driven by real SIGTERM/SIGINT sent to the agent process.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class SignalShutdownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(PosixSignal.SIGTERM)]
    [InlineData(PosixSignal.SIGINT)]
    public async Task A_signal_drains_the_running_operation_publishes_its_result_before_E4_fetches_nothing_more_and_exits_zero(PosixSignal signal)
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var id = emulator.Enqueue(Wire.Sleep, Wire.SleepFor(TimeSpan.FromSeconds(2)));
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Operations:PollInterval", "00:00:30")
            .Set("Shutdown:Budget", "00:00:20"));
        await EmulatorWaits.WaitUntilHeldAsync(emulator, id, Bound);

        var signalledAt = DateTimeOffset.UtcNow;
        agent.Signal(signal);
        var exitCode = await agent.WaitForExitAsync(Bound);

        Assert.Equal(0, exitCode);
        var requests = emulator.Requests;
        var result = Assert.Single(emulator.Results, r => r.OperationId == id);
        Assert.True(result.Accepted);
        Assert.True(result.At > signalledAt, "Premise: the operation was still running when the signal was sent.");
        var notice = Assert.Single(requests, Wire.IsShutdownNotice);
        Assert.True(result.At < notice.At, $"The result ({result.At:HH:mm:ss.fff}) was not delivered before E4 ({notice.At:HH:mm:ss.fff}).");
        var lateFetches = requests.Where(r => Wire.IsFetch(r) && r.At > signalledAt).ToList();
        Assert.True(lateFetches.Count == 0, $"E1 after the signal: {Wire.Describe(lateFetches)}");
        Assert.Contains(agent.Lines, l => l.Contains($"Shutdown started by Signal ({signal})", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("Drained: every operation finished", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown finished (Signal); exit code 0", StringComparison.Ordinal));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // a FIFO holds the agent
    public async Task A_SIGTERM_while_the_agent_still_reads_its_configuration_is_kept_and_shuts_it_down_once_it_runs_with_E4_and_exit_zero()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        using var secrets = new TempDirectory();
        using var tokenFile = HeldTokenFile.Create(secrets.Path);
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Remove("Orchestrator:TokenId")
            .Remove("Orchestrator:TokenSecret")
            .Set("Orchestrator:TokenFile", tokenFile.Path));

        // The agent is held reading its token file: its code runs, its host is not built. Without a
        // handler of its own yet, the signal would end it with the runtime's default (143, no E4).
        await tokenFile.WaitForReaderAsync(Bound);
        agent.Signal(PosixSignal.SIGTERM);
        tokenFile.Release(EmulatorCredential.Id, EmulatorCredential.Secret);
        var exitCode = await agent.WaitForExitAsync(Bound);

        Assert.Equal(0, exitCode);
        Assert.Single(emulator.Requests, Wire.IsShutdownNotice);
        Assert.Single(agent.Lines, l => l.Contains("Shutdown started by ", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown started by Signal (SIGTERM)", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown finished (Signal); exit code 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SIGTERM_with_an_operation_outlasting_the_budget_cancels_it_without_a_result_and_exits_zero_within_budget_plus_two_seconds()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var id = emulator.Enqueue(Wire.Sleep, Wire.SleepFor(TimeSpan.FromSeconds(60)));
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Operations:PollInterval", "00:00:30")
            .Set("Shutdown:Budget", "00:00:02"));
        await EmulatorWaits.WaitUntilHeldAsync(emulator, id, Bound);

        var sinceSignal = Stopwatch.StartNew();
        agent.Signal(PosixSignal.SIGTERM);
        var exitCode = await agent.WaitForExitAsync(Bound);
        var elapsed = sinceSignal.Elapsed;
        output.WriteLine($"exited {elapsed} after SIGTERM");

        Assert.Equal(0, exitCode);
        Assert.True(elapsed <= TimeSpan.FromSeconds(4), $"Exited {elapsed} after SIGTERM; the bound is the 2 s budget + 2 s.");
        Assert.Single(emulator.Requests, Wire.IsShutdownNotice);
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == id);
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown started by Signal (SIGTERM)", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown budget of 00:00:02 spent", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains($"Operation {id} was cancelled by shutdown", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown finished (Signal); exit code 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_SIGTERM_during_the_drain_cancels_the_operation_and_exits_zero_within_three_seconds()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var id = emulator.Enqueue(Wire.Sleep, Wire.SleepFor(TimeSpan.FromSeconds(60)));
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Operations:PollInterval", "00:00:30")
            .Set("Shutdown:Budget", "00:00:20"));
        await EmulatorWaits.WaitUntilHeldAsync(emulator, id, Bound);

        agent.Signal(PosixSignal.SIGTERM);
        await agent.WaitForLineAsync(l => l.Contains("Shutdown started by Signal (SIGTERM)", StringComparison.Ordinal), Bound);
        var sinceSecond = Stopwatch.StartNew();
        agent.Signal(PosixSignal.SIGTERM);
        var exitCode = await agent.WaitForExitAsync(Bound);
        var elapsed = sinceSecond.Elapsed;
        output.WriteLine($"exited {elapsed} after the second SIGTERM");

        Assert.Equal(0, exitCode);
        Assert.True(elapsed <= TimeSpan.FromSeconds(3), $"Exited {elapsed} after the second SIGTERM.");
        Assert.Single(emulator.Requests, Wire.IsShutdownNotice);
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == id);
        Assert.Contains(agent.Lines, l => l.Contains("Drain cut short by a second signal", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown finished (Signal); exit code 0", StringComparison.Ordinal));
    }
}
