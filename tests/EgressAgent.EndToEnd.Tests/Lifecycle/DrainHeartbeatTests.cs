using System.Runtime.InteropServices;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>
/// Contract §7 step 2 with §6.2: a drain "while heartbeats continue". SIGTERM reaches an agent
/// whose every worker runs a long operation while more work waits at the orchestrator; through
/// the drain the time between REST requests stays within <c>Heartbeat:Interval</c> + 1 s, nothing
/// more is fetched, E4 comes after the drained results, and the process exits 0.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class DrainHeartbeatTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxGap = Interval + TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Work = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task A_drain_with_every_worker_busy_keeps_the_gap_between_REST_requests_within_the_heartbeat_interval_plus_one_second_then_E4_and_exit_0()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var running = new[] { emulator.Enqueue(Wire.Sleep, Wire.SleepFor(Work)), emulator.Enqueue(Wire.Sleep, Wire.SleepFor(Work)) };
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Operations:Workers", "2")
            .Set("Heartbeat:Interval", "00:00:02")
            .Set("Operations:ActivityTimeout", "00:00:08")
            .Set("Operations:PollInterval", "00:00:04")
            .Set("Shutdown:Budget", "00:00:20"));

        // Both workers busy: the poller has reached capacity and stopped fetching. More work waits.
        await emulator.WaitForNthRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 200, 2, Bound);
        var waiting = new[] { emulator.Enqueue(Wire.Sleep, Wire.SleepFor(Work)), emulator.Enqueue(Wire.Sleep, Wire.SleepFor(Work)) };
        var handedOut = emulator.HandedOut;
        Assert.Equal(running.Order(), handedOut.Select(h => h.OperationId).Order());

        // Saturated already: a beat shows it, then the signal comes with the operations mid-way.
        await emulator.WaitForRequestAsync(r => Wire.IsHeartbeat(r) && r.At > handedOut.Max(h => h.At), Bound);
        var signalledAt = DateTimeOffset.UtcNow;
        agent.Signal(PosixSignal.SIGTERM);
        var exitCode = await agent.WaitForExitAsync(Bound);

        Assert.Equal(0, exitCode);
        var requests = emulator.Requests;
        var notice = Assert.Single(requests, Wire.IsShutdownNotice);
        foreach (var id in running)
        {
            var result = Assert.Single(emulator.Results, r => r.OperationId == id);
            Assert.True(result.Accepted);
            Assert.True(result.At > signalledAt, $"Premise: {id} was still running when SIGTERM came.");
            Assert.True(result.At < notice.At, $"E4 ({notice.At:HH:mm:ss.fff}) came before the drained result of {id} ({result.At:HH:mm:ss.fff}).");
        }

        // From the last REST request before the signal to E4: every gap within the bound.
        var rest = requests.Where(r => r.Path != Wire.Stream).OrderBy(r => r.At).ToList();
        var from = rest.Last(r => r.At <= signalledAt);
        var drain = rest.Where(r => r.At >= from.At && r.At <= notice.At).ToList();
        var gaps = drain.Zip(drain.Skip(1), (earlier, later) => later.At - earlier.At).ToList();
        var beats = drain.Count(r => Wire.IsHeartbeat(r) && r.At > signalledAt);
        output.WriteLine($"largest gap during the drain {gaps.Max()}, {beats} heartbeats: {Wire.Describe(drain)}");
        Assert.True(gaps.Max() <= MaxGap, $"A gap of {gaps.Max()} between REST requests during the drain: {Wire.Describe(drain)}");
        Assert.True(beats >= 2, $"Expected heartbeats during the drain of about {Work.TotalSeconds - 2} s: {Wire.Describe(drain)}");

        Assert.DoesNotContain(requests, r => Wire.IsFetch(r) && r.At > signalledAt);
        Assert.Equal(waiting.Length, emulator.QueuedCount); // left to the orchestrator, never fetched
        Assert.Contains(agent.Lines, l => l.Contains("Drained: every operation finished", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown finished (Signal); exit code 0", StringComparison.Ordinal));
    }
}
