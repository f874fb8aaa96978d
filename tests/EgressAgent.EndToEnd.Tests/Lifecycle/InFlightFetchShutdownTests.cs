using System.Runtime.InteropServices;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>
/// Contract §7 step 2 and ADR 0005: an E1 already in flight when a drain starts finishes, and
/// the operation it brings is run and published during the drain, not dropped.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class InFlightFetchShutdownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_operation_whose_E1_was_in_flight_when_SIGTERM_arrived_is_run_and_published_during_the_drain()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var id = emulator.Enqueue(Wire.Sleep, Wire.SleepFor(TimeSpan.FromSeconds(1)));
        await using var proxy = await HoldingProxy.StartAsync(
            emulator.BaseUrl,
            r => r.Method == "GET" && r.Path == "/api/v1/agent/operation");
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Orchestrator:BaseUrl", proxy.BaseUrl.ToString())
            .Set("Events:Enabled", "false")
            .Set("Operations:PollInterval", "00:00:30")
            .Set("Shutdown:Budget", "00:00:20"));

        // The agent's first E1 is held in the proxy; the drain must begin while it is.
        await proxy.Held.WaitAsync(Bound);
        var signalledAt = DateTimeOffset.UtcNow;
        agent.Signal(PosixSignal.SIGTERM);
        await agent.WaitForLineAsync(l => l.Contains("Shutdown started by Signal (SIGTERM)", StringComparison.Ordinal), Bound);
        proxy.Release();
        var exitCode = await agent.WaitForExitAsync(Bound);

        Assert.Equal(0, exitCode);
        var handOut = Assert.Single(emulator.HandedOut);
        Assert.Equal(id, handOut.OperationId);
        Assert.True(handOut.At > signalledAt, "Premise: the operation was handed out only after the signal.");
        var result = Assert.Single(emulator.Results, r => r.OperationId == id);
        Assert.True(result.Accepted);
        var notice = Assert.Single(emulator.Requests, Wire.IsShutdownNotice);
        Assert.True(result.At < notice.At, $"The result ({result.At:HH:mm:ss.fff}) was not delivered before E4 ({notice.At:HH:mm:ss.fff}).");
        Assert.Single(emulator.Requests, Wire.IsFetch);
        Assert.Contains(agent.Lines, l => l.Contains("Drained: every operation finished", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown finished (Signal); exit code 0", StringComparison.Ordinal));
    }
}
