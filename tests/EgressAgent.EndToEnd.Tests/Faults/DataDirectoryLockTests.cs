using System.Diagnostics;
using System.Runtime.InteropServices;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Deploy;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10 "One process per data directory": a second process on the same directory exits 2
/// within 10 s naming the directory and the holder's pid, contacts nothing, and the first goes on;
/// the kernel frees the directory when the holder dies, kill -9 included (docs/adr/0020).
/// </summary>
[Collection(Lifecycle.LifecycleCollection.Name)]
public sealed class DataDirectoryLockTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SecondProcessExitBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_second_process_on_the_same_data_directory_exits_2_within_10_s_naming_the_directory_and_the_holder_and_the_first_keeps_working()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var first = AgentProcess.Start(emulator, data, output);
        var firstInstance = (await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound)).InstanceId;

        var started = Stopwatch.GetTimestamp();
        await using var second = AgentProcess.Start(emulator, data, output);
        var exitCode = await second.WaitForExitAsync(SecondProcessExitBound);

        Assert.Equal(2, exitCode);
        Assert.True(Stopwatch.GetElapsedTime(started) < SecondProcessExitBound);
        Assert.Contains(second.ErrorLines, l => l.Contains($"'{data.Path}'", StringComparison.Ordinal) && l.Contains($"pid {first.Id})", StringComparison.Ordinal));
        Assert.DoesNotContain(second.Lines, l => l.Contains("started against", StringComparison.Ordinal));

        var echo = await emulator.RunEchoThroughStreamAsync("after-the-second-process", Bound);
        Assert.Equal(firstInstance, echo.InstanceId);
        Assert.False(first.HasExited);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(first, Bound));
        // The emulator saw one instance only: the second process never sent a request.
        Assert.NotNull(firstInstance);
        Assert.All(emulator.Requests, r => Assert.Equal(firstInstance, r.InstanceId));
    }

    /// <summary>
    /// Removing the data directory removes the lock file: a second process can then make the
    /// directory anew and lock it. The first must write nothing there (its new segment would be
    /// taken in by the second's next start while the first still appends to it): its result waits in memory,
    /// storage degraded naming the holder — and still once the second is gone: refusing beats
    /// adopting a directory another process may have written in (docs/adr/0045).
    /// </summary>
    [Fact]
    public async Task A_data_directory_removed_and_locked_by_a_second_process_gets_no_file_from_the_first_even_once_the_second_is_gone()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var otherEmulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var first = AgentProcess.Start(emulator, data, output, s => s.Environment["Logging__LogLevel__EgressAgent.Application.Results.DurableResultWriter"] = "Debug");
        await emulator.RunEchoThroughStreamAsync("before-removal", Bound); // its segment is the active one
        Directory.Delete(data.Path, recursive: true);

        await using var second = AgentProcess.Start(otherEmulator, data, output);
        await otherEmulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        var id = emulator.Enqueue(EmulatorWaits.EchoPath, new() { ["trace_id"] = "while-taken" });
        emulator.SendEvent(new { type = "work_available" });
        // The store's own error line names the directory and the holder; the degraded reason (health,
        // /readyz) says what failed without the path.
        var refused = await first.WaitForLineAsync(l => l.Contains("could not be stored", StringComparison.Ordinal), Bound);
        await first.WaitForLineAsync(l => l.Contains("Storage degraded", StringComparison.Ordinal), Bound);

        Assert.Contains($"'{data.Path}'", refused, StringComparison.Ordinal);
        Assert.Contains($"pid {second.Id})", refused, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(data.Path, "outbox")));
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == id);
        Assert.False(second.HasExited);

        Assert.Equal(0, await otherEmulator.SayGoodbyeAsync(second, Bound));

        // Refusing beats adopting: the directory the second made is not the first's, even now that
        // nobody holds it. A retry after the second is gone fails the same way (the retries are
        // logged at debug level; a new one is the signal that one ran).
        var retriesBefore = first.Lines.Count(IsRetry);
        await first.WaitForLineAsync(l => IsRetry(l) && first.Lines.Count(IsRetry) > retriesBefore, Bound);
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == id);
        Assert.Equal($"{second.Id}\n", await File.ReadAllTextAsync(Path.Combine(data.Path, "agent.lock")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(data.Path, "outbox")));

        // Only this process held the result: it is lost at shutdown with an error naming it, and the
        // orchestrator runs the operation again after E4 (docs/adr/0014).
        first.Signal(PosixSignal.SIGTERM);
        Assert.Equal(0, await first.WaitForExitAsync(Bound));
        Assert.Contains(first.Lines, l => l.Contains($"The result of operation {id} is lost", StringComparison.Ordinal));
        Assert.Empty(otherEmulator.Results);

        bool IsRetry(string line) => line.Contains($"Storing the result of operation {id} failed again", StringComparison.Ordinal);
    }

    /// <summary>
    /// docs/adr/0045: the lock is checked by device and inode. A volume mounted over the data directory
    /// while the agent runs shadows it under the same names: a lock file there is reached by the
    /// same path the locked one had, so a check by names took it for the agent's own and stored
    /// into a volume the agent never locked. By inode it is another file: the store is refused
    /// (naming the pid the planted lock file holds), nothing is written on the volume, and once it
    /// is unmounted the agent's own directory is back and the result is stored and published once.
    /// </summary>
    [SmallFileSystemFact]
    public async Task A_volume_mounted_over_the_data_directory_is_not_taken_for_it_and_the_result_is_stored_once_it_is_gone()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);
        await emulator.RunEchoThroughStreamAsync("before-mount", Bound);
        var (mounted, _, mountError) = await ExternalTool.RunAsync("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", data.Path);
        Assert.True(mounted == 0, mountError);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(data.Path, "agent.lock"), "4711\n");
            var id = emulator.Enqueue(EmulatorWaits.EchoPath, new() { ["trace_id"] = "while-mounted" });
            emulator.SendEvent(new { type = "work_available" });
            var refused = await agent.WaitForLineAsync(l => l.Contains("could not be stored", StringComparison.Ordinal), Bound);

            Assert.Contains("pid 4711)", refused, StringComparison.Ordinal);
            Assert.Equal(["agent.lock"], Directory.EnumerateFileSystemEntries(data.Path).Select(Path.GetFileName));
            Assert.DoesNotContain(emulator.Results, r => r.OperationId == id);

            var (unmounted, _, unmountError) = await ExternalTool.RunAsync("umount", data.Path);
            Assert.True(unmounted == 0, unmountError);
            mounted = -1;
            var delivered = await emulator.WaitForAcceptedResultAsync(id, Bound);
            Assert.Equal("while-mounted", delivered.Result!["__mcd_trace_id__"]!.GetValue<string>());
            Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
            Assert.Single(emulator.Results, r => r.OperationId == id);
        }
        finally
        {
            if (mounted == 0)
            {
                await ExternalTool.RunAsync("umount", "-l", data.Path);
            }
        }
    }

    [Fact]
    public async Task After_the_holder_is_killed_hard_a_new_process_takes_the_directory_and_works()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        string? firstInstance;
        await using (var first = AgentProcess.Start(emulator, data, output))
        {
            firstInstance = (await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound)).InstanceId;
            first.KillHard();
            await first.WaitForExitAsync(Bound);
        }

        await using var next = AgentProcess.Start(emulator, data, output);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath && r.InstanceId != firstInstance, Bound);
        var echo = await emulator.RunEchoThroughStreamAsync("after-kill-9", Bound);

        Assert.NotEqual(firstInstance, echo.InstanceId);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(next, Bound));
        Assert.DoesNotContain(next.ErrorLines, l => l.Contains("in use", StringComparison.Ordinal));
        // The lock file stays (deleting it would race a process opening it) and names its last holder.
        Assert.Equal($"{next.Id}\n", await File.ReadAllTextAsync(Path.Combine(data.Path, "agent.lock")));
    }
}
