using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §7 and docs/adr/0032 through the real process on a real stalled volume: the data
/// directory is on a loop-mounted ext4 image the test freezes (<c>fsfreeze</c>), so the kernel
/// holds a group commit of the agent's own outbox in its write (the thread sleeps
/// uninterruptibly, see <see cref="HeldThreads"/>) while SIGTERM stops the agent.
/// </summary>
/// <remarks>
/// The drain waits for a worker whose result is being stored, and the host disposes the outbox
/// only once its loops have stopped or its stop timeout (the budget + 2 s) has passed. A commit
/// thawed within the budget therefore ends before the outbox is closed; only one held past the
/// budget and the host's stop timeout meets the close, which must wait for it.
/// </remarks>
[Collection(LifecycleCollection.Name)]
public sealed class ShutdownOnAStalledVolumeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [FreezableVolumeFact]
    public async Task SIGTERM_while_stores_are_held_by_a_frozen_volume_thawed_within_the_budget_exits_0_in_time_and_each_result_is_published_once()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        Func<string, bool> refuse = _ => false; // read per result PUT
        emulator.FailResultsFor(id => Volatile.Read(ref refuse)(id), 503);
        await using var volume = await FreezableVolume.MountAsync(mebibytes: 32);
        using var workingDirectory = new TempDirectory();
        var dataDirectory = Path.Combine(volume.Path, "data");
        var budget = TimeSpan.FromSeconds(3);
        Action<AgentSettings> settings = s => s
            .Set("Storage:DataDirectory", dataDirectory)
            .Set("Shutdown:Budget", budget.ToString())
            .Set("Operations:PollInterval", "00:00:30");

        List<string> ids;
        List<string> refused;
        await using (var agent = AgentProcess.Start(emulator, workingDirectory, output, settings))
        {
            await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, Bound);
            await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream && r.StatusCode == 200, Bound);

            // Four results stored at once: one commit held by the kernel, the others queued for the next.
            await using var frozen = await volume.FreezeAsync();
            ids = [.. Enumerable.Range(0, 4).Select(i => emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = $"t-held-{i}", ["n"] = i }))];
            refused = [ids[1], ids[3]]; // left in the outbox by this process
            Volatile.Write(ref refuse, id => refused.Contains(id));
            emulator.SendEvent(new { type = "work_available" });
            await Poll.UntilAsync(() => emulator.HandedOut.Count == ids.Count, Bound, "the four operations to be handed out");
            await HeldThreads.WaitForAsync(agent.Id, Bound);

            var sinceSignal = Stopwatch.StartNew();
            agent.Signal(PosixSignal.SIGTERM);
            var exited = ExitWatch.ExitedAtAsync(agent.Id, sinceSignal, Bound);
            await agent.WaitForLineAsync(l => l.Contains("Shutdown started by Signal (SIGTERM)", StringComparison.Ordinal), Bound);
            Assert.DoesNotContain(emulator.Requests, r => r.Method == "PUT"); // premise: every store still held
            await volume.ThawAsync();
            Assert.True(sinceSignal.Elapsed < budget, $"Premise: thawed {sinceSignal.Elapsed} after SIGTERM, not within the {budget} budget.");

            var exitedAfter = await exited;
            output.WriteLine($"exited {exitedAfter} after SIGTERM");
            Assert.Equal(0, await agent.WaitForExitAsync(Bound));
            Assert.True(exitedAfter <= budget + TimeSpan.FromSeconds(2), $"Exited {exitedAfter} after SIGTERM; the bound is the {budget} budget + 2 s.");
            Assert.Single(emulator.Requests, Wire.IsShutdownNotice);
        }

        // What the first process could not deliver is whole in the outbox, and the next one publishes it.
        Assert.Equal(refused.Order(StringComparer.Ordinal), StoredResults.OperationIds(Path.Combine(dataDirectory, "outbox")).Order(StringComparer.Ordinal));
        Volatile.Write(ref refuse, _ => false);
        await using (var next = AgentProcess.Start(emulator, workingDirectory, output, settings))
        {
            foreach (var id in refused)
            {
                await emulator.WaitForAcceptedResultAsync(id, Bound);
            }

            next.Signal(PosixSignal.SIGTERM);
            Assert.Equal(0, await next.WaitForExitAsync(Bound));
            Assert.DoesNotContain(next.Lines, l => l.Contains("corrupt", StringComparison.Ordinal) || l.Contains("incomplete record", StringComparison.Ordinal));
        }

        for (var i = 0; i < ids.Count; i++)
        {
            var delivered = Assert.Single(emulator.Results, r => r.Accepted && r.OperationId == ids[i]);
            Assert.Equal(i, delivered.Result!["__mcd_result__"]!["n"]!.GetValue<int>());
        }

        Assert.Equal(ids.Count, emulator.HandedOut.Count); // none ran again
        Assert.False(Directory.Exists(Path.Combine(dataDirectory, "quarantine")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(dataDirectory, "outbox")));
    }

    /// <summary>
    /// The active segment holds only a delivered result, so it has nothing left to deliver; the
    /// next result's commit is held in its write past the budget and the host's stop timeout, and
    /// the outbox is closed under it. Were the close not to wait, it would delete that segment
    /// (unlink, held by the frozen volume too, then done at the thaw) under the record being
    /// stored, and the result would be lost although its store went on.
    /// </summary>
    [FreezableVolumeFact]
    public async Task A_close_that_meets_a_commit_held_by_a_frozen_volume_waits_for_it_and_the_next_process_publishes_the_result_once()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var volume = await FreezableVolume.MountAsync(mebibytes: 32);
        using var workingDirectory = new TempDirectory();
        var dataDirectory = Path.Combine(volume.Path, "data");
        var outbox = Path.Combine(dataDirectory, "outbox");
        Action<AgentSettings> settings = s => s
            .Set("Storage:DataDirectory", dataDirectory)
            .Set("Shutdown:Budget", "00:00:02")
            .Set("Operations:PollInterval", "00:00:30");
        var first = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-first" });

        string held;
        await using (var agent = AgentProcess.Start(emulator, workingDirectory, output, settings))
        {
            await emulator.WaitForAcceptedResultAsync(first, Bound);
            // Its ack written (nothing on the wire says when): the segment holds nothing left to deliver.
            await Poll.UntilAsync(() => StoredResults.OperationIds(outbox).Count == 0, Bound, "the ack of the first result");
            Assert.Single(Directory.GetFiles(outbox, "*.segment"));

            await using var frozen = await volume.FreezeAsync();
            var frozenAt = DateTimeOffset.UtcNow;
            held = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-held", ["n"] = 7 });
            emulator.SendEvent(new { type = "work_available" });
            await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 200 && r.At > frozenAt, Bound);
            await HeldThreads.WaitForAsync(agent.Id, Bound);

            agent.Signal(PosixSignal.SIGTERM);
            await agent.WaitForLineAsync(l => l.Contains("Shutdown finished (Signal); exit code 0", StringComparison.Ordinal), Bound);
            // The host's stop timeout passes, the container disposes the outbox: its close meets the commit.
            await agent.WaitForLineAsync(l => l.Contains("Closing the outbox in", StringComparison.Ordinal), Bound);
            Assert.False(agent.HasExited);
            Assert.DoesNotContain(emulator.Results, r => r.OperationId == held);

            await volume.ThawAsync();
            Assert.Equal(0, await agent.WaitForExitAsync(Bound));
        }

        // Stored, whole, in a segment the close kept for the next process: the echo's result, not an error in its place.
        var pending = StoredResults.Pending(outbox);
        Assert.True(
            pending.Count == 1 && pending[0].OperationId == held && IsHeldEcho(JsonNode.Parse(pending[0].Result)),
            $"The outbox holds [{string.Join(", ", pending.Select(p => $"{p.OperationId}: {p.Result}"))}], not the held result alone.");
        await using (var next = AgentProcess.Start(emulator, workingDirectory, output, settings))
        {
            var delivered = await emulator.WaitForAcceptedResultAsync(held, Bound);
            Assert.True(IsHeldEcho(delivered.Result), $"Published in its place: {delivered.RawBody}");
            next.Signal(PosixSignal.SIGTERM);
            Assert.Equal(0, await next.WaitForExitAsync(Bound));
            Assert.DoesNotContain(next.Lines, l => l.Contains("corrupt", StringComparison.Ordinal) || l.Contains("incomplete record", StringComparison.Ordinal));
        }

        Assert.Single(emulator.Results, r => r.OperationId == held);
        Assert.Single(emulator.Results, r => r.OperationId == first);
        Assert.Equal(2, emulator.HandedOut.Count); // the held operation did not run again
        Assert.False(Directory.Exists(Path.Combine(dataDirectory, "quarantine")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outbox));
    }

    private static bool IsHeldEcho(JsonNode? result) =>
        result?["__mcd_result__"]?["n"]?.GetValue<int>() == 7 && result["__mcd_trace_id__"]?.GetValue<string>() == "t-held";
}
