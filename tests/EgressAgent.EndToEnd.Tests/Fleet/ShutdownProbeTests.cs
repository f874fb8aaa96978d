using System.Net;
using System.Runtime.InteropServices;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Fleet;

/// <summary>Contract §11: <c>/readyz</c> fails from the first moment of a shutdown, while the drain still runs.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class ShutdownProbeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task From_the_first_moment_of_a_SIGTERM_drain_readyz_answers_503_naming_shutdown_while_livez_stays_200()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var id = emulator.Enqueue(Wire.Sleep, Wire.SleepFor(TimeSpan.FromSeconds(4)));
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Management:Urls", ManagementEndpoint.AnyFreePort)
            .Set("Operations:PollInterval", "00:00:30")
            .Set("Shutdown:Budget", "00:00:20"));
        using var management = await ManagementEndpoint.OfAsync(agent, Bound);
        await Lifecycle.EmulatorWaits.WaitUntilHeldAsync(emulator, id, Bound);
        Assert.Equal(HttpStatusCode.OK, (await management.ProbeUntilAsync("/readyz", p => p.Status == HttpStatusCode.OK, Bound)).Status);

        agent.Signal(PosixSignal.SIGTERM);
        // The sequence marks itself stopping before it logs its start: the first probe after that line fails.
        await agent.WaitForLineAsync(l => l.Contains("Shutdown started by Signal (SIGTERM)", StringComparison.Ordinal), Bound);
        var draining = await management.ProbeAsync("/readyz");
        var live = await management.ProbeAsync("/livez");
        var stillDraining = !agent.HasExited && !emulator.Results.Any(r => r.OperationId == id);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, draining.Status);
        Assert.Equal(["shutdown"], draining.Failing);
        Assert.StartsWith("shutting down", draining.Description("shutdown"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.True(stillDraining, "Premise: the operation was still running when /readyz was asked.");

        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
        Assert.Single(emulator.Results, r => r.OperationId == id && r.Accepted); // the drain finished the work
    }
}
