using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>
/// Contract §6.4: at start, results left in the outbox by an earlier process are published
/// first. Process 1 stores results the orchestrator refuses (503) and is stopped with SIGTERM and
/// a short budget, leaving them on disk; process 2 starts with new work queued, and its first E2s
/// are the stored results, before any result of the new work.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class BacklogFirstTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Results_an_earlier_process_left_are_published_before_any_result_of_new_work()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        emulator.ScriptResultStatuses([.. Enumerable.Repeat(503, 100_000)]);
        var stored = Enumerable.Range(0, 5).Select(i => emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = $"t-old-{i}" })).ToList();

        await using (var first = AgentProcess.Start(emulator, data, output, s => s.Set("Shutdown:Budget", "00:00:02")))
        {
            foreach (var id in stored)
            {
                await emulator.WaitForRequestAsync(r => Wire.IsResultOf(r, id) && r.StatusCode == 503, Bound);
            }

            first.Signal(PosixSignal.SIGTERM);
            Assert.Equal(0, await first.WaitForExitAsync(Bound));

            // Its last warning says where the results went.
            Assert.Contains(first.Lines, l => l.Contains("Stopped with work left: 5 stored result(s) stay in the outbox for the next start", StringComparison.Ordinal));
        }

        // Premise: none got through, and all five wait on disk.
        Assert.DoesNotContain(emulator.Results, r => r.Accepted);
        Assert.Equal(stored.Order(), StoredResults.OperationIds(outbox).Order());
        emulator.ScriptResultStatuses();
        var fresh = Enumerable.Range(0, 5).Select(i => emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = $"t-new-{i}" })).ToList();
        var startedAt = DateTimeOffset.UtcNow;

        await using var second = AgentProcess.Start(emulator, data, output);
        foreach (var id in stored.Concat(fresh))
        {
            await emulator.WaitForAcceptedResultAsync(id, Bound);
        }

        var puts = emulator.Results.Where(r => r.At >= startedAt).OrderBy(r => r.At).ToList();
        var order = string.Join(", ", puts.Select(r => $"{r.OperationId}@{r.At:HH:mm:ss.fff}→{r.StatusCode}"));
        output.WriteLine($"E2s of the second process: {order}");
        Assert.Equal(stored.Order(), puts.Take(stored.Count).Select(r => r.OperationId).Order());
        Assert.All(puts, r => Assert.True(r.Accepted, $"E2 refused: {order}"));
        var firstOfNewWork = puts.First(r => fresh.Contains(r.OperationId));
        Assert.All(stored, id => Assert.True(puts.Single(r => r.OperationId == id).At < firstOfNewWork.At, $"{id} was published after new work: {order}"));
        Assert.Equal(10, emulator.HandedOut.Count); // the stored ones were not run again

        second.Signal(PosixSignal.SIGTERM);
        Assert.Equal(0, await second.WaitForExitAsync(Bound));
        Assert.Empty(StoredResults.OperationIds(outbox));
        Assert.DoesNotContain(second.Lines, l => l.Contains("Stopped with work left", StringComparison.Ordinal));
    }
}
