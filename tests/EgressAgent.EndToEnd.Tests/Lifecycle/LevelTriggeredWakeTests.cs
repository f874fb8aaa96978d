using System.Diagnostics;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>
/// Contract §6.1: wake-ups are level-triggered — a <c>work_available</c> that arrives while E1 is
/// in flight causes another fetch right after it. A loopback proxy holds one E1 (the stream
/// passes through it untouched) until the agent has handled a second <c>work_available</c>; the
/// held fetch is then answered 204, and another E1 must follow at once, not after
/// <c>Operations:PollInterval</c> (60 s here).
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class LevelTriggeredWakeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Far below the 60 s poll interval, far above a fetch on loopback.</summary>
    private static readonly TimeSpan RightAfter = TimeSpan.FromSeconds(10);

    /// <summary>The event handlers' decorator logs, at trace, each event it handled (its category starts so).</summary>
    private const string HandlerCategory = "EgressAgent.Application.Events.Dispatching.ObservedEventHandler";

    [Fact]
    public async Task A_work_available_during_an_in_flight_E1_causes_another_E1_right_after_it_without_waiting_for_the_poll_interval()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s =>
        {
            s.Set("Orchestrator:BaseUrl", proxy.BaseUrl.ToString())
                .Set("Operations:PollInterval", "00:01:00")
                .Set("Operations:ActivityTimeout", "00:02:00");
            s.Environment[$"Logging__LogLevel__{HandlerCategory}"] = "Trace";
        });

        // Idle: the start-up fetch came back empty and the stream is open.
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, Bound);
        await agent.WaitForLineAsync(l => l.Contains("Event stream connected", StringComparison.Ordinal), Bound);

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hold = proxy.When(r => r.Is("GET", "/api/v1/agent/operation"), ProxyFault.HoldUntil(release.Task), times: 1, name: "hold one E1");
        emulator.SendEvent(new { type = "work_available" });
        await hold.WaitForMatchesAsync(1, Bound); // that wake-up's E1 is in flight, held

        // A second wake-up while it is in flight, handled by the agent before the fetch ends.
        var handledBefore = agent.Lines.Count(IsWorkAvailableHandled);
        emulator.SendEvent(new { type = "work_available" });
        var seen = 0;
        await agent.WaitForLineAsync(l => IsWorkAvailableHandled(l) && ++seen > handledBefore, Bound);
        var heldAt = proxy.Requests.First(r => r.Fault.Kind == ProxyFaultKind.Hold).At;
        Assert.Single(proxy.Requests, r => r.Is("GET", "/api/v1/agent/operation") && r.At >= heldAt); // still that one fetch

        var fetchesBefore = emulator.Requests.Count(Wire.IsFetch);
        var sinceRelease = Stopwatch.StartNew();
        release.SetResult();
        var held = await emulator.WaitForNthRequestAsync(Wire.IsFetch, fetchesBefore + 1, Bound);
        Assert.Equal(204, held.StatusCode); // nothing queued: only the level of the wake-up can cause another fetch
        var next = await emulator.WaitForNthRequestAsync(Wire.IsFetch, fetchesBefore + 2, RightAfter);
        output.WriteLine($"held E1 answered {held.At:HH:mm:ss.fff}, next E1 {next.At:HH:mm:ss.fff} ({(next.At - held.At).TotalMilliseconds:0} ms later, {sinceRelease.Elapsed} after the release)");

        Assert.True(next.At - held.At < RightAfter, $"The next E1 came {next.At - held.At} after the held one.");
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    private static bool IsWorkAvailableHandled(string line) =>
        line.Contains("WorkAvailableHandler handled the event", StringComparison.Ordinal);
}
