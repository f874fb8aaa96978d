using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>Contract §6.4: a kill -9 loses no completed result; the next process publishes it first.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_result_stored_before_a_kill_is_delivered_by_the_next_process_without_running_the_operation_again()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        emulator.ScriptResultStatuses([.. Enumerable.Repeat(503, 100_000)]);
        var id = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-crash", ["n"] = 7 });

        string? firstInstance;
        await using (var first = AgentProcess.Start(emulator, data, output))
        {
            var refused = await emulator.WaitForRequestAsync(r => Wire.IsResultOf(r, id) && r.StatusCode == 503, Bound);
            firstInstance = refused.InstanceId;
            Assert.Contains(emulator.Results, r => r.OperationId == id && r.StatusCode == 503);
            Assert.Equal([id], StoredResults.OperationIds(outbox));
            first.KillHard();
            await first.WaitForExitAsync(Bound);
        }

        // Premise: the first process never got its result through.
        Assert.DoesNotContain(emulator.Results, r => r.Accepted);
        emulator.ScriptResultStatuses();

        await using var second = AgentProcess.Start(emulator, data, output);
        var delivered = Assert.Single(await emulator.WaitForResultsAsync(1, Bound));

        Assert.Equal(id, delivered.OperationId);
        Assert.NotEqual(firstInstance, delivered.InstanceId);
        Assert.Equal("t-crash", delivered.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(7, delivered.Result["__mcd_result__"]!["n"]!.GetValue<int>());
        Assert.Single(emulator.HandedOut);
        Assert.DoesNotContain(second.Lines, l => l.Contains($"Operation {id} finished", StringComparison.Ordinal));

        // A graceful stop waits for the outbox to empty, so the directory is final once it exited.
        second.Signal(PosixSignal.SIGTERM);
        Assert.Equal(0, await second.WaitForExitAsync(Bound));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outbox));
    }

    /// <summary>
    /// docs/adr/0032: a delivered record is acknowledged by a line in its segment's acks file,
    /// written without a sync: a kill -9 keeps it (the page cache outlives the process). Three
    /// results are delivered and acknowledged, two more stored and refused, then the agent is
    /// killed: the next process sends the two, and none of the three again.
    /// </summary>
    [Fact]
    public async Task Results_delivered_before_a_kill_are_not_sent_again_by_the_next_process_and_the_rest_are_sent_once()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        var delivered = Enumerable.Range(0, 3).Select(i => emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = $"t-acked-{i}" })).ToList();

        List<string> refused;
        await using (var first = AgentProcess.Start(emulator, data, output))
        {
            foreach (var id in delivered)
            {
                await emulator.WaitForAcceptedResultAsync(id, Bound);
            }

            emulator.ScriptResultStatuses([.. Enumerable.Repeat(503, 100_000)]);
            refused = [.. Enumerable.Range(0, 2).Select(i => emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = $"t-pending-{i}" }))];
            emulator.SendEvent(new { type = "work_available" });
            foreach (var id in refused)
            {
                await emulator.WaitForRequestAsync(r => Wire.IsResultOf(r, id) && r.StatusCode == 503, Bound);
            }

            // Premise: one segment holds all five, and its acks file names the three delivered.
            await Poll.UntilAsync(() => StoredResults.OperationIds(outbox).Order().SequenceEqual(refused.Order()), Bound, "the acks of the delivered results");
            Assert.Single(Directory.GetFiles(outbox, "*.segment"));
            Assert.Equal(3, File.ReadAllLines(Assert.Single(Directory.GetFiles(outbox, "*.segment.acks"))).Length);
            first.KillHard();
            await first.WaitForExitAsync(Bound);
        }

        emulator.ScriptResultStatuses();
        var putsBefore = emulator.Results.Count;
        await using var second = AgentProcess.Start(emulator, data, output);
        foreach (var id in refused)
        {
            await emulator.WaitForAcceptedResultAsync(id, Bound);
        }

        second.Signal(PosixSignal.SIGTERM);
        Assert.Equal(0, await second.WaitForExitAsync(Bound));

        var sentBySecond = emulator.Results.Skip(putsBefore).Select(r => r.OperationId).ToList();
        Assert.Equal(refused.Order(), sentBySecond.Order());
        Assert.All(delivered, id => Assert.Single(emulator.Results, r => r.OperationId == id));
        Assert.Equal(5, emulator.HandedOut.Count);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outbox));
    }

    /// <summary>
    /// docs/protocol.md §10 "Whatever the agent accepted and stored it can read back": an echo
    /// operation 62 objects deep makes an envelope 64 deep, the most E1's reader takes, and a
    /// stored record one deeper. Recovery once read records with a depth limit of 64, called this
    /// one, the last line of its segment, a torn tail and deleted the segment: the result was lost.
    /// </summary>
    [Fact]
    public async Task A_result_as_deep_as_intake_allows_stored_before_a_kill_is_published_once_by_the_next_process_as_stored()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        emulator.ScriptResultStatuses([.. Enumerable.Repeat(503, 100_000)]);
        var nested = new JsonObject { ["n"] = 62 };
        for (var level = 61; level >= 1; level--)
        {
            nested = new JsonObject { ["d"] = nested };
        }

        var id = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-deep", ["d"] = nested });

        string stored;
        await using (var first = AgentProcess.Start(emulator, data, output))
        {
            await emulator.WaitForRequestAsync(r => Wire.IsResultOf(r, id) && r.StatusCode == 503, Bound);
            var pending = Assert.Single(StoredResults.Pending(outbox));
            Assert.Equal(id, pending.OperationId);
            stored = pending.Result;
            first.KillHard();
            await first.WaitForExitAsync(Bound);
        }

        Assert.DoesNotContain(emulator.Results, r => r.Accepted);
        Assert.Equal($"{{\"result\":{stored}}}", emulator.Results.First(r => r.OperationId == id).RawBody); // what the first process sent
        emulator.ScriptResultStatuses();

        await using var second = AgentProcess.Start(emulator, data, output);
        var delivered = await emulator.WaitForAcceptedResultAsync(id, Bound);
        second.Signal(PosixSignal.SIGTERM);
        Assert.Equal(0, await second.WaitForExitAsync(Bound));

        Assert.Equal($"{{\"result\":{stored}}}", delivered.RawBody); // byte for byte what was stored
        Assert.Single(emulator.Results, r => r.Accepted && r.OperationId == id);
        Assert.Equal("t-deep", delivered.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Single(emulator.HandedOut);
        Assert.DoesNotContain(second.Lines, l => l.Contains($"Operation {id} finished", StringComparison.Ordinal));
        Assert.DoesNotContain(second.Lines, l => l.Contains("incomplete record", StringComparison.Ordinal) || l.Contains("corrupt", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(data.Path, "quarantine")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outbox));
    }

    /// <summary>
    /// docs/adr/0032: results stored in groups (16 workers writing at once, one write and one
    /// fdatasync of the segment per group). A kill -9 in the middle of the burst leaves only whole
    /// records, each published once.
    /// </summary>
    [Fact]
    public async Task A_kill_during_a_burst_of_group_commits_leaves_only_whole_results_each_published_once_by_the_next_process()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        emulator.ScriptResultStatuses([.. Enumerable.Repeat(503, 100_000)]);
        var expected = new Dictionary<string, int>();
        for (var i = 0; i < 600; i++)
        {
            expected[emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = $"t-burst-{i}", ["n"] = i })] = i;
        }

        await using (var first = AgentProcess.Start(emulator, data, output, s => s.Set("Operations:Workers", "16")))
        {
            // Mid-burst: results are being stored (and refused with 503) while more are being run.
            await emulator.WaitForNthRequestAsync(r => r.Method == "PUT" && r.StatusCode == 503, 150, Bound);
            first.KillHard();
            await first.WaitForExitAsync(Bound);
        }

        Assert.DoesNotContain(emulator.Results, r => r.Accepted);
        var stored = StoredResults.OperationIds(outbox); // throws on a stored result that is not whole
        Assert.True(stored.Count >= 100, $"only {stored.Count} results were stored before the kill");
        Assert.Equal(stored.Count, stored.Distinct().Count());
        emulator.ScriptResultStatuses();

        await using var second = AgentProcess.Start(emulator, data, output, s => s.Set("Operations:Workers", "16"));
        foreach (var id in stored)
        {
            await emulator.WaitForAcceptedResultAsync(id, Bound);
        }

        second.Signal(PosixSignal.SIGTERM);
        Assert.Equal(0, await second.WaitForExitAsync(Bound));
        foreach (var id in stored)
        {
            var delivered = Assert.Single(emulator.Results, r => r.Accepted && r.OperationId == id);
            Assert.Equal($"t-burst-{expected[id]}", delivered.Result!["__mcd_trace_id__"]!.GetValue<string>());
            Assert.Equal(expected[id], delivered.Result["__mcd_result__"]!["n"]!.GetValue<int>());
        }

        Assert.False(Directory.Exists(Path.Combine(data.Path, "quarantine")), "a stored result was corrupt");
        Assert.DoesNotContain(second.Lines, l => l.Contains("corrupt", StringComparison.Ordinal));
    }
}
