using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>Contract §10 "Nothing starts after E4": work piggybacked on a result flushed after E4 is logged and not run.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class WorkAfterShutdownNoticeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task An_operation_piggybacked_on_a_result_flushed_after_E4_is_logged_with_its_id_and_not_run()
    {
        var options = EmulatorCredential.Options();
        options.PiggybackNextOperation = true;
        await using var emulator = await OrchestratorEmulator.StartAsync(options);

        // The result's PUT is held at the proxy until the emulator has E4: the 2 s drain budget is
        // spent waiting for it, E4 goes out, then the PUT reaches the emulator within the flush step
        // (budget + 1.5 s), so the flush delivers it and its answer carries the next operation.
        // Released by E4 itself rather than after a fixed delay: under load the PUT may leave late.
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var shutdownNotice = emulator.WaitForRequestAsync(Wire.IsShutdownNotice, Bound);
        proxy.When(ProxiedEndpoints.IsResult, ProxyFault.HoldUntil(shutdownNotice), times: 1, name: "hold the result until E4");
        var first = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "first" });
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Through(proxy).Set("Shutdown:Budget", "00:00:02"));
        await AgentLog.FinishedAtAsync(agent, first, DateTimeOffset.UtcNow, Bound);

        // Only the answer to that PUT can hand out the late operation: E1 gives nothing from now on.
        emulator.OperationFetchStatusOverride = 204;
        var late = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "late" }, "op-late");
        agent.Signal(PosixSignal.SIGTERM);
        var exitCode = await agent.WaitForExitAsync(Bound);

        Assert.Equal(0, exitCode);
        var notice = Assert.Single(emulator.Requests, Wire.IsShutdownNotice);
        var handOut = Assert.Single(emulator.HandedOut, h => h.OperationId == late);
        Assert.True(handOut.ViaPiggyback);
        Assert.True(notice.At < handOut.At, $"E4 at {notice.At:HH:mm:ss.fff}, handed out at {handOut.At:HH:mm:ss.fff}: the test did not put the hand-out after E4.");
        Assert.Contains(emulator.Results, r => r.OperationId == first && r.Accepted);
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == late);
        Assert.Contains(agent.Lines, l => l.Contains($"Operation {late} arrived from next_operation after shutdown cancelled running work; not running it", StringComparison.Ordinal));
        Assert.DoesNotContain(agent.Lines, l => l.Contains($"Operation {late} finished", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains($"Shutdown budget of {Budget} spent", StringComparison.Ordinal));
    }
}
