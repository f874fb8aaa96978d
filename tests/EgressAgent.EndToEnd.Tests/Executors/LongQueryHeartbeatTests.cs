using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Executors;

/// <summary>
/// Contract §10: blocking database calls never starve timers. Microsoft.Data.Sqlite runs a
/// statement synchronously on the calling thread; if that were a thread-pool thread, every
/// worker running a long query would leave the heartbeat's timer waiting for a thread.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class LongQueryHeartbeatTests(ITestOutputHelper output)
{
    private const string Query = "/api/v1/agent/execute/sql/query";
    private const int Workers = 8;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxGap = Interval + TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxIntake = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task Heartbeats_keep_their_interval_while_every_worker_runs_a_long_SQLite_query()
    {
        using var databases = new TempDirectory();
        var database = Path.Combine(databases.Path, "numbers.db");
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=false"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "create table limits (n integer); insert into limits values (1000000000000);";
            create.ExecuteNonQuery();
        }

        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());

        // Counting to a trillion takes hours: each query runs until its 8 s timeout interrupts it,
        // so all workers are busy in SQLite for the whole window measured below.
        var ids = Enumerable.Range(0, Workers).Select(_ => emulator.Enqueue(Query, new JsonObject
        {
            ["connection"] = "db",
            ["query"] = "with recursive c(x) as (select 1 union all select x + 1 from c where x < (select n from limits)) select count(*) from c",
            ["timeout"] = 8,
        })).ToList();
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Operations:Workers", Workers.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Set("Heartbeat:Interval", "00:00:02")
            .Set("Operations:ActivityTimeout", "00:00:08")
            .Set("Operations:PollInterval", "00:00:04")
            .Set("Connections:db:Provider", "sqlite")
            .Set("Connections:db:ConnectionString", $"Data Source={database}"));

        var results = await emulator.WaitForResultsAsync(Workers, Bound);
        emulator.SendEvent(new { type = "goodbye", reason = "test finished" });
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));

        // Every query ran into its timeout: none finished early and left a worker idle.
        Assert.All(ids, id => Assert.Equal(ErrorKinds.Timeout, results.Last(r => r.OperationId == id).Result![OperationResult.ErrorTypeKey]!.GetValue<string>()));

        // Saturated from the E1 that handed out the last query to the first PUT of a result.
        var requests = emulator.Requests;
        var handOuts = emulator.HandedOut.Where(h => ids.Contains(h.OperationId)).ToList();
        var lastHandOut = handOuts.MaxBy(h => h.At)!;
        var intake = lastHandOut.At - handOuts.Min(h => h.At);
        var fetch = requests.Last(r => Wire.IsFetch(r) && r.At <= lastHandOut.At);
        var firstPublish = requests.Where(r => ids.Any(id => Wire.IsResultOf(r, id))).MinBy(r => r.At)!;
        var rest = requests
            .Where(r => r.Path != Wire.Stream && r.At >= fetch.At && r.At <= firstPublish.At)
            .OrderBy(r => r.At)
            .ToList();
        var gaps = rest.Zip(rest.Skip(1), (earlier, later) => later.At - earlier.At).ToList();
        output.WriteLine($"intake took {intake}, saturated for {firstPublish.At - fetch.At}, largest gap {gaps.Max()}, {rest.Count(Wire.IsHeartbeat)} heartbeats: {Wire.Describe(rest)}");

        // Taking the queued queries needs a free thread for each E1 answer: a starved pool adds
        // one every half second (measured without dedicated threads: 2.8–3.6 s for 8 queries).
        Assert.True(intake <= MaxIntake, $"Taking {Workers} queued queries took {intake}: the agent waited for threads");
        Assert.True(firstPublish.At - fetch.At >= TimeSpan.FromSeconds(6), $"The queries ended too early to measure anything: {Wire.Describe(rest)}");
        Assert.True(gaps.Max() <= MaxGap, $"A gap of {gaps.Max()} between REST requests while every worker ran a query: {Wire.Describe(rest)}");
        Assert.True(rest.Count(Wire.IsHeartbeat) >= 3, $"Expected at least 3 heartbeats while every worker ran an 8 s query: {Wire.Describe(rest)}");
    }
}
