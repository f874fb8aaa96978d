using System.Globalization;
using System.Runtime.Versioning;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Emulator;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// docs/protocol.md §10 "Files" and "Corrupt stored results", through the real process: a stored
/// result is 0600 while it waits, and a corrupt entry left in the outbox is moved to
/// <c>quarantine/</c> with a log line naming it, never deleted, while the agent goes on working.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class StoredFileTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_result_waiting_in_the_outbox_is_readable_and_writable_by_its_owner_only()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        emulator.ScriptResultStatuses([.. Enumerable.Repeat(503, 1_000)]);
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        var id = emulator.Enqueue(EmulatorWaits.EchoPath, new() { ["trace_id"] = "t-mode" });
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForRequestAsync(r => r.Method == "PUT" && r.Path.Contains(id, StringComparison.Ordinal), Bound);

        var outbox = Path.Combine(data.Path, "outbox");
        Assert.Equal([id], StoredResults.OperationIds(outbox));
        Assert.NotEmpty(Directory.GetFiles(outbox));
        foreach (var stored in Directory.GetFiles(outbox))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stored));
        }
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task A_corrupt_entry_left_in_the_outbox_is_quarantined_with_a_log_line_and_the_agent_keeps_working()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Directory.CreateDirectory(Path.Combine(data.Path, "outbox")).FullName;
        var name = $"{DateTimeOffset.UtcNow.UtcTicks.ToString("D20", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.result.json";
        await File.WriteAllTextAsync(Path.Combine(outbox, name), """{"operation_id":"op-torn","result":{"__mcd_res""");

        await using var agent = AgentProcess.Start(emulator, data, output);
        var logged = await agent.WaitForLineAsync(l => l.Contains("is corrupt", StringComparison.Ordinal) && l.Contains(name, StringComparison.Ordinal), Bound);
        var later = await emulator.RunEchoThroughStreamAsync("after-quarantine", Bound);

        Assert.Contains("quarantine", logged, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data.Path, "quarantine", name)), "the corrupt entry was not kept in quarantine/");
        Assert.False(File.Exists(Path.Combine(outbox, name)));
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == "op-torn");
        Assert.Equal("after-quarantine", later.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }
}
