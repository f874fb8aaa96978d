using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using EgressAgent.Emulator;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10 "Storage faults lose nothing", through the real agent process: the outbox
/// directory replaced by a regular file (the tests run as root, so permissions cannot make a
/// directory unwritable; a file in its place can).
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class StorageFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxGap = Interval + TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_result_that_cannot_be_stored_waits_with_intake_paused_and_heartbeats_going_then_is_published_exactly_once()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        string first;
        await using (var agent = AgentProcess.Start(emulator, data, output, Configure))
        {
            await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, Bound);
            await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);
            Directory.Delete(outbox, recursive: true);
            await File.WriteAllTextAsync(outbox, "a file where the outbox directory should be");

            first = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-storage", ["n"] = 1 });
            emulator.SendEvent(new { type = "work_available" });
            var degraded = await agent.WaitForLineAsync(l => l.Contains("Storage degraded", StringComparison.Ordinal), Bound);
            var degradedSeen = DateTimeOffset.UtcNow;
            Assert.Contains("results cannot be stored", degraded, StringComparison.Ordinal);

            // Once a heartbeat shows the agent idle-but-alive, no fetch can still be under way.
            var firstBeat = await emulator.WaitForRequestAsync(r => Wire.IsHeartbeat(r) && r.At > degradedSeen, Bound);
            var second = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-storage-2" });
            emulator.SendEvent(new { type = "work_available" });
            var thirdBeat = await emulator.WaitForNthRequestAsync(r => Wire.IsHeartbeat(r) && r.At > degradedSeen, 3, Bound);

            var whileWaiting = emulator.Requests.Where(r => r.Path != Wire.Stream && r.At >= firstBeat.At && r.At <= thirdBeat.At).ToList();
            var gaps = whileWaiting.Zip(whileWaiting.Skip(1), (earlier, later) => later.At - earlier.At).ToList();
            output.WriteLine($"while waiting to store: {Wire.Describe(whileWaiting)}");
            Assert.Empty(emulator.Results); // no E2: the result is in memory only
            Assert.DoesNotContain(emulator.Requests, r => Wire.IsFetch(r) && r.At > firstBeat.At); // intake paused
            Assert.DoesNotContain(emulator.HandedOut, h => h.OperationId == second);
            Assert.All(whileWaiting, r => Assert.True(Wire.IsHeartbeat(r), $"only heartbeats while waiting: {Wire.Describe(whileWaiting)}"));
            Assert.All(gaps, gap => Assert.True(gap <= MaxGap, $"a gap of {gap} between heartbeats: {Wire.Describe(whileWaiting)}"));
            Assert.True(File.Exists(outbox), "the agent must not remove an operator's file");

            File.Delete(outbox); // storage recovers

            var delivered = await emulator.WaitForAcceptedResultAsync(first, Bound);
            Assert.Equal(1, delivered.Result!["__mcd_result__"]!["n"]!.GetValue<int>());
            await emulator.WaitForAcceptedResultAsync(second, Bound); // intake resumed
            await agent.WaitForLineAsync(l => l.Contains("Storage recovered", StringComparison.Ordinal), Bound);
            Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        }

        Assert.Single(emulator.Results, r => r.OperationId == first);
        Assert.Single(emulator.HandedOut, h => h.OperationId == first);
        Assert.True(Directory.Exists(outbox), "the outbox directory is recreated");
        Assert.Empty(Directory.GetFiles(outbox, "*.tmp"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outbox));

        // A restart after recovery finds nothing left to publish: exactly once, also across processes.
        await using (var restarted = AgentProcess.Start(emulator, data, output, Configure))
        {
            var startedAt = DateTimeOffset.UtcNow;
            await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.At > startedAt && r.StatusCode == 204, Bound);
            await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream && r.At > startedAt, Bound);
            Assert.Equal(0, await emulator.SayGoodbyeAsync(restarted, Bound));
        }

        Assert.Single(emulator.Results, r => r.OperationId == first);
        Assert.Equal(2, emulator.Results.Count);
    }

    [Fact]
    public async Task A_result_still_unstorable_when_the_drain_budget_ends_is_logged_with_its_operation_id_and_the_agent_exits_0()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        var budget = TimeSpan.FromSeconds(3);
        await using var agent = AgentProcess.Start(emulator, data, output, s => Configure(s.Set("Shutdown:Budget", "00:00:03")));
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, Bound);
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);
        Directory.Delete(outbox, recursive: true);
        await File.WriteAllTextAsync(outbox, "a file where the outbox directory should be");
        var id = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-unstorable" });
        emulator.SendEvent(new { type = "work_available" });
        await agent.WaitForLineAsync(l => l.Contains("Storage degraded", StringComparison.Ordinal), Bound);

        var stopping = DateTimeOffset.UtcNow;
        agent.Signal(PosixSignal.SIGTERM);
        var exitCode = await agent.WaitForExitAsync(Bound);
        var took = DateTimeOffset.UtcNow - stopping;

        Assert.Equal(0, exitCode);
        Assert.True(took <= budget + TimeSpan.FromSeconds(2), $"shutdown took {took}");

        // The drain waited for the result (the budget ran out), then nothing could keep it: an error names it.
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown budget", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("fail:", StringComparison.Ordinal) && l.Contains($"operation {id} is lost", StringComparison.Ordinal));
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == id);
        Assert.Contains(emulator.Requests, Wire.IsShutdownNotice);
    }

    private static void Configure(AgentSettings settings) => settings
        .Set("Operations:Workers", "2") // a free worker: heartbeats come from the storage pause, not saturation
        .Set("Heartbeat:Interval", "00:00:02")
        .Set("Operations:ActivityTimeout", "00:00:10")
        .Set("Operations:PollInterval", "00:00:05");
}
