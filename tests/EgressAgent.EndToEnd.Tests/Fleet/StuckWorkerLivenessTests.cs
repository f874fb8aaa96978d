using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Deploy;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Fleet;

/// <summary>
/// Contract §11: <c>/livez</c> answers 503 when a loop of the agent is really stuck, through the
/// real process and nothing in it faked. The stuck loop is made from outside, as a hung volume
/// makes one: the SQLite file a configured connection names is a FIFO, so the driver's open(2)
/// blocks in the kernel until a writer comes — no timeout, no cancellation reaches it. The
/// operation has a 1 s <c>timeout</c>, so its worker step is bounded at 1 s + 30 s (AgentLoops
/// slack); past that <c>/livez</c> fails naming the workers, and not before. When the test opens
/// the FIFO the open returns, the operation ends in one result and <c>/livez</c> is 200 again.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class StuckWorkerLivenessTests(ITestOutputHelper output)
{
    private const string Query = "/api/v1/agent/execute/sql/query";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StepBound = TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_worker_blocked_in_the_kernel_past_its_operation_timeout_plus_30_s_fails_livez_naming_the_workers_and_recovers_when_it_returns()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        using var files = new TempDirectory();
        var fifo = Path.Combine(files.Path, "hung.db");
        var (exitCode, _, error) = await ExternalTool.RunAsync("mkfifo", fifo);
        Assert.True(exitCode == 0, $"mkfifo failed: {error}");
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Management:Urls", ManagementEndpoint.AnyFreePort)
            .Set("Operations:Workers", "2")
            .Set("Connections:hung:Provider", "sqlite")
            .Set("Connections:hung:ConnectionString", $"Data Source={fifo}"));
        using var management = await ManagementEndpoint.OfAsync(agent, Bound);
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, Bound);
        Assert.Equal(HttpStatusCode.OK, (await management.ProbeAsync("/livez")).Status);

        var id = emulator.Enqueue(Query, new JsonObject { ["connection"] = "hung", ["query"] = "select 1", ["timeout"] = 1 });
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 200, Bound);
        var sinceHandOut = Stopwatch.StartNew();

        await management.WaitForStuckLoopAsync("workers", StepBound, sinceHandOut, output, Bound);
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == id);

        // The kernel lets the open return once a writer comes (the file then holds no database).
        // Opened without blocking: with no reader blocked in it the open fails at once instead.
        var writer = Fifo.OpenWriterNonBlocking(fifo);
        Assert.True(writer >= 0, $"Nobody had the FIFO open for reading (errno {Marshal.GetLastPInvokeError()}): the worker was not blocked in open(2).");
        Fifo.Close(writer);

        var result = await emulator.WaitForAcceptedResultAsync(id, Bound);
        output.WriteLine($"result once the open returned: {result.Result!.ToJsonString()}");
        await management.WaitForLiveAgainAsync(Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Single(emulator.Results, r => r.OperationId == id);
    }
}

/// <summary>The end of a FIFO a test writes to, opened with O_NONBLOCK so the open never waits.</summary>
internal static partial class Fifo
{
    private const int WriteOnlyNonBlocking = 0x1 | 0x800; // O_WRONLY | O_NONBLOCK

    /// <summary>A descriptor, or -1 (ENXIO) when no process has the FIFO open for reading.</summary>
    public static int OpenWriterNonBlocking(string path) => Open(path, WriteOnlyNonBlocking);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);
}
