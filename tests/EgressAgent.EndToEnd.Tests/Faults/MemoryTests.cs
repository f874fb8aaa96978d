using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static EgressAgent.EndToEnd.Tests.Connectors.CommandsPrograms;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10 "Memory" (docs/adr/0043) through the real agent process against a real SQLite
/// file, nothing faked in the process: an operation that meets a cap — one value over 64 Mi, a
/// <c>fetchmany</c> over 16 MiB of rows — or that really runs out of memory (the GC's hard limit
/// set on the agent, as a container limit sets it) ends in one <c>ResourceExhausted</c> result,
/// and the one worker there is runs the next operation.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class MemoryTests(ITestOutputHelper output) : IDisposable
{
    private const string Program = "/api/v1/agent/execute/sqlite/memory";
    private const long ValueCap = 64L * 1024 * 1024;

    /// <summary>The memory limit of the shipped pod (deploy/kubernetes/statefulset.yaml): what the agent must stay inside.</summary>
    private const long PodLimitBytes = 512L * 1024 * 1024;

    /// <summary>
    /// The GC's heap limit, in hexadecimal without <c>0x</c>: the JIT runtime takes either, the
    /// native agent's only the bare digits (with the prefix it silently runs without a limit).
    /// </summary>
    private const string GCHeapHardLimit = "DOTNET_GCHeapHardLimit";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Operations_over_the_value_and_fetchmany_caps_end_in_ResourceExhausted_the_worker_runs_the_next_and_the_peak_RSS_stays_inside_the_pod_limit()
    {
        var credentials = Credentials(CreateDatabase());
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        // The managed heap the shipped pod gives the GC (75 % of its limit, docs/adr/0043): the
        // caps must be met before memory runs out, so each result names its cap.
        await using var agent = AgentProcess.Start(emulator, data, output, s =>
        {
            s.Set("Operations:Workers", "1");
            s.Environment[GCHeapHardLimit] = $"{PodLimitBytes * 3 / 4:x}";
        });
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);

        // One of each, one after the other on the single worker: a byte string and a text one
        // value past the cap (SQLite makes them; the driver hands them over whole), then 20 rows
        // of 1 MiB asked for at once with fetchmany.
        Report(agent, "at start");
        var bytes = await RunAsync(emulator, Standard($"select zeroblob({ValueCap + 1}) as b"), credentials);
        Report(agent, "after the byte string");
        var text = await RunAsync(emulator, Standard($"select printf('%.*c', {ValueCap + 1}, 'x') as s"), credentials);
        Report(agent, "after the text");
        var many = await RunAsync(emulator, Of(
            new JsonObject { ["method"] = "cursor", ["store"] = "c" },
            new JsonObject { ["target"] = "c", ["method"] = "execute", ["args"] = new JsonArray(TwentyRowsOfOneMebibyte, null) },
            new JsonObject { ["target"] = "c", ["method"] = "fetchmany", ["args"] = new JsonArray(100) }), credentials);
        Report(agent, "after fetchmany");
        var next = await RunAsync(emulator, Standard("select count(*) as n from numbers"), credentials);
        var peak = ProcessMemory.PeakResidentBytes(agent.Id);
        Report(agent, "after the next operation");

        Assert.Equal($"Resource exhausted: a bytes value of {ValueCap + 1} is larger than the cap of {ValueCap} (64 Mi)", Error(bytes, "ResourceExhausted"));
        Assert.Equal($"Resource exhausted: a string value of {ValueCap + 1} is larger than the cap of {ValueCap} (64 Mi)", Error(text, "ResourceExhausted"));
        Assert.StartsWith("Resource exhausted: fetchmany would hold more than 16777216 bytes of rows in memory; fetchall streams", Error(many, "ResourceExhausted"), StringComparison.Ordinal);
        Assert.Equal("[[3]]", Payload(next)["all_results"]!.ToJsonString());
        Assert.True(peak < PodLimitBytes, $"The agent's peak RSS was {peak} bytes, over the pod's limit of {PodLimitBytes}.");
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Equal(4, emulator.Results.Count(r => r.Accepted));
    }

    [Fact]
    public async Task An_operation_that_runs_out_of_memory_under_the_GC_hard_limit_ends_in_ResourceExhausted_and_the_worker_runs_the_next()
    {
        var credentials = Credentials(CreateDatabase());
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        // 96 MiB of managed heap, as a container limit makes the GC set one (75 % of it): the
        // value below is under the 64 Mi cap, but as a .NET string (two bytes a character) it
        // needs 120 MB, which the heap cannot give — the driver's allocation throws
        // OutOfMemoryException for real, inside the operation.
        await using var agent = AgentProcess.Start(emulator, data, output, s =>
        {
            s.Set("Operations:Workers", "1");
            s.Environment[GCHeapHardLimit] = "6000000";
        });
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);

        var tooMuch = await RunAsync(emulator, Standard("select printf('%.*c', 60000000, 'x') as s"), credentials);
        var next = await RunAsync(emulator, Standard("select count(*) as n from numbers"), credentials);

        Assert.Equal("Resource exhausted: the agent ran out of memory while running the operation", Error(tooMuch, "ResourceExhausted"));
        Assert.Equal("[[3]]", Payload(next)["all_results"]!.ToJsonString());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Equal(2, emulator.Results.Count(r => r.Accepted));
    }

    private void Report(AgentProcess agent, string when) =>
        output.WriteLine($"agent RSS {when}: {ProcessMemory.ResidentBytes(agent.Id) / (1024 * 1024)} MiB, peak so far {ProcessMemory.PeakResidentBytes(agent.Id) / (1024 * 1024)} MiB");

    private const string TwentyRowsOfOneMebibyte =
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 20) select i, printf('%.*c', 1048576, 'x') from n";

    private static async Task<JsonObject> RunAsync(OrchestratorEmulator emulator, JsonObject operation, JsonObject credentials)
    {
        var id = emulator.EnqueueWithCredentials(Program, operation, credentials);
        emulator.SendEvent(new { type = "work_available" });
        return (await emulator.WaitForAcceptedResultAsync(id, Bound)).Result!;
    }

    private static JsonObject Credentials(string database) =>
        new() { ["connect_args"] = new JsonObject { ["database"] = database } };

    private string CreateDatabase()
    {
        var path = Path.Combine(_files.Path, "memory.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "create table numbers (i integer); insert into numbers values (1), (2), (3);";
        command.ExecuteNonQuery();
        return path;
    }
}
