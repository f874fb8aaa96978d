using System.Runtime.InteropServices;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using EgressAgent.Host.Lifetime;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Fleet;

/// <summary>
/// Contract §11 systemd: the notify protocol end to end — the test is systemd (a datagram socket
/// in <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> as WatchdogSec sets it) and the real agent process.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class SystemdNotifyTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private const string Ready = "READY=1";
    private const string Stopping = "STOPPING=1";
    private const string Watchdog = "WATCHDOG=1";

    [Fact]
    public async Task READY_after_start_WATCHDOG_repeating_through_the_drain_and_STOPPING_on_SIGTERM_before_the_exit()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        using var systemd = new NotifySocket(Path.Combine(data.Path, "notify.sock"));
        var settings = AgentSettings.For(emulator, Path.Combine(data.Path, "data"))
            .Set("Operations:PollInterval", "00:00:30")
            .Set("Shutdown:Budget", "00:00:20");
        settings.Environment["NOTIFY_SOCKET"] = systemd.Path;
        settings.Environment["WATCHDOG_USEC"] = "2000000"; // WatchdogSec=2: a ping every second

        await using var agent = AgentProcess.Start(settings, output);
        var ready = await systemd.WaitForAsync(m => m == Ready, 1, Bound);
        Assert.Contains(agent.Lines, l => l.Contains("Agent instance", StringComparison.Ordinal) && l.Contains("started", StringComparison.Ordinal));
        await systemd.WaitForAsync(m => m == Watchdog, 3, Bound);
        var id = emulator.Enqueue(Wire.Sleep, Wire.SleepFor(TimeSpan.FromSeconds(4))); // a drain of seconds
        emulator.SendEvent(new { type = "work_available" });
        await Lifecycle.EmulatorWaits.WaitUntilHeldAsync(emulator, id, Bound);

        agent.Signal(PosixSignal.SIGTERM);
        var stopping = await systemd.WaitForAsync(m => m == Stopping, 1, Bound);
        var stillRunning = !agent.HasExited;
        var pingsBefore = systemd.Messages.Count(m => m.Message == Watchdog);
        await systemd.WaitForAsync(m => m == Watchdog, pingsBefore + 1, Bound); // the drain is alive too
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
        var exitedAt = DateTimeOffset.UtcNow;

        var messages = systemd.Messages;
        output.WriteLine(string.Join("\n", messages.Select(m => $"{m.At:HH:mm:ss.fff} {m.Message}")));
        Assert.True(stillRunning, "STOPPING=1 must come while the agent still drains, not at its exit.");
        Assert.Single(messages, m => m.Message == Ready);
        Assert.Single(messages, m => m.Message == Stopping);
        Assert.True(ready.At < stopping.At && stopping.At < exitedAt);
        Assert.DoesNotContain(messages, m => m.Message == Watchdog && m.At < ready.At.AddSeconds(-1)); // not long before the start
        var pings = messages.Where(m => m.Message == Watchdog && m.At > ready.At).Select(m => m.At).ToList();
        var gaps = pings.Zip(pings.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.True(gap < TimeSpan.FromSeconds(2), $"a gap of {gap} between watchdog pings: systemd would have killed the agent"));
        Assert.Single(emulator.Results, r => r.OperationId == id && r.Accepted);
    }

    [Fact]
    public async Task A_watchdog_meant_for_another_process_gets_no_pings_but_READY_and_STOPPING_still_come()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        using var systemd = new NotifySocket(Path.Combine(data.Path, "notify.sock"));
        var settings = AgentSettings.For(emulator, Path.Combine(data.Path, "data"));
        settings.Environment["NOTIFY_SOCKET"] = systemd.Path;
        settings.Environment["WATCHDOG_USEC"] = "400000";
        settings.Environment["WATCHDOG_PID"] = "1"; // a child of the unit's main process must not ping for it

        await using var agent = AgentProcess.Start(settings, output);
        await systemd.WaitForAsync(m => m == Ready, 1, Bound);
        await emulator.RunEchoThroughStreamAsync("t-watchdog-pid", Bound); // ten watchdog intervals and more
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));

        var messages = systemd.Messages.Select(m => m.Message).ToList();
        Assert.Equal([Ready, Stopping], messages);
    }

    [Theory]
    [InlineData("30000000", null, 4242, 15.0)]
    [InlineData("30000000", "4242", 4242, 15.0)]
    [InlineData("1000000", "", 4242, 0.5)]
    [InlineData("30000000", "999", 4242, null)] // meant for another process
    [InlineData("30000000", "x", 4242, null)]
    [InlineData(null, null, 4242, null)]
    [InlineData("0", null, 4242, null)]
    [InlineData("-5", null, 4242, null)]
    [InlineData("soon", null, 4242, null)]
    public void The_watchdog_pings_at_half_of_WATCHDOG_USEC_when_it_is_meant_for_this_process(string? usec, string? pid, int ownPid, double? seconds)
    {
        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, SystemdNotifications.WatchdogInterval(usec, pid, ownPid));
    }
}
