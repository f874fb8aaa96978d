using System.Text.Json.Nodes;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using EgressAgent.Emulator;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10 "Storage faults lose nothing" with a real full disk: the data directory on a
/// small tmpfs that the test fills, so the kernel itself answers the agent's result write with
/// <c>ENOSPC</c> (the segment log, docs/adr/0032). The result waits in memory with intake paused
/// and heartbeats going, and is stored and published exactly once when space comes back.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class FullDiskTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [SmallFileSystemFact]
    public async Task A_result_written_to_a_full_disk_waits_in_memory_and_is_published_exactly_once_when_space_returns()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var disk = await SmallFileSystem.MountAsync(mebibytes: 4);
        using var workingDirectory = new TempDirectory();
        var dataDirectory = Path.Combine(disk.Path, "data");
        await using var agent = AgentProcess.Start(emulator, workingDirectory, output, s => s
            .Set("Storage:DataDirectory", dataDirectory)
            .Set("Operations:Workers", "2")
            .Set("Heartbeat:Interval", "00:00:02")
            .Set("Operations:PollInterval", "00:00:05"));
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, Bound);
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);

        var filler = await disk.FillAsync();
        var id = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-full-disk", ["n"] = 7 });
        emulator.SendEvent(new { type = "work_available" });
        var degraded = await agent.WaitForLineAsync(l => l.Contains("Storage degraded", StringComparison.Ordinal), Bound);
        var degradedSeen = DateTimeOffset.UtcNow;
        // A fetch may have been under way when storing failed; once a heartbeat shows the agent
        // idle-but-alive, none can be, so intake is judged from that beat on.
        var firstBeat = await emulator.WaitForRequestAsync(r => Wire.IsHeartbeat(r) && r.At > degradedSeen, Bound);
        await emulator.WaitForNthRequestAsync(r => Wire.IsHeartbeat(r) && r.At > degradedSeen, 3, Bound);

        Assert.Contains("no space left on device", degraded, StringComparison.OrdinalIgnoreCase); // the short reason; the paths are in the store's own error line
        Assert.Empty(emulator.Results); // in memory only, not sent
        Assert.DoesNotContain(emulator.Requests, r => Wire.IsFetch(r) && r.At > firstBeat.At); // intake paused

        File.Delete(filler); // space comes back

        var delivered = await emulator.WaitForAcceptedResultAsync(id, Bound);
        await agent.WaitForLineAsync(l => l.Contains("Storage recovered", StringComparison.Ordinal), Bound);
        Assert.Equal(7, delivered.Result!["__mcd_result__"]!["n"]!.GetValue<int>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Single(emulator.Results, r => r.OperationId == id);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(dataDirectory, "outbox")));
    }
}
