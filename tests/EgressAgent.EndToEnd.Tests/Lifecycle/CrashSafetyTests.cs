using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Emulator;
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
            Assert.NotEmpty(Directory.GetFiles(outbox, "*.result.json"));
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
}
