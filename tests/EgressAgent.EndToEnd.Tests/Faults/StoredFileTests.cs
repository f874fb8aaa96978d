using System.Globalization;
using System.Runtime.Versioning;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
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

    /// <summary>
    /// docs/adr/0032 through the real process: a segment an earlier process left with a corrupt
    /// line between good ones and a torn last line (a write whose sync never finished). The good
    /// records are delivered, the segment is copied to <c>quarantine/</c> with a log line naming
    /// it, the torn line is ignored with a warning, and nothing of the two bad lines is sent.
    /// </summary>
    [Fact]
    public async Task A_segment_with_a_corrupt_line_and_a_torn_tail_delivers_its_good_records_and_quarantines_a_copy()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Directory.CreateDirectory(Path.Combine(data.Path, "outbox")).FullName;
        var ticks = DateTimeOffset.UtcNow.UtcTicks;
        var name = $"{ticks.ToString("D20", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.segment";
        string Record(string id) =>
            "{\"operation_id\":\"" + id + "\",\"created\":" + ticks.ToString(CultureInfo.InvariantCulture)
            + ",\"result\":{\"__mcd_result__\":{\"id\":\"" + id + "\"},\"__mcd_trace_id__\":\"t-" + id + "\"}}\n";
        await File.WriteAllTextAsync(
            Path.Combine(outbox, name),
            Record("op-seg-1") + "{\"operation_id\":\"op-seg-bad\",\"created\":1,\"result\":{\xFF\n" + Record("op-seg-2") + """{"operation_id":"op-seg-torn","created":1,"res""");

        await using var agent = AgentProcess.Start(emulator, data, output);
        var first = await emulator.WaitForAcceptedResultAsync("op-seg-1", Bound);
        var second = await emulator.WaitForAcceptedResultAsync("op-seg-2", Bound);
        var corrupt = await agent.WaitForLineAsync(l => l.Contains("is corrupt", StringComparison.Ordinal) && l.Contains(name, StringComparison.Ordinal), Bound);
        await agent.WaitForLineAsync(l => l.Contains("incomplete record", StringComparison.Ordinal) && l.Contains(name, StringComparison.Ordinal), Bound);

        Assert.Equal("op-seg-1", first.Result!["__mcd_result__"]!["id"]!.GetValue<string>());
        Assert.Equal("op-seg-2", second.Result!["__mcd_result__"]!["id"]!.GetValue<string>());
        Assert.Contains("quarantine", corrupt, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data.Path, "quarantine", name)), "no copy of the segment in quarantine/");
        Assert.DoesNotContain(emulator.Results, r => r.OperationId is "op-seg-bad" or "op-seg-torn");
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }
}
