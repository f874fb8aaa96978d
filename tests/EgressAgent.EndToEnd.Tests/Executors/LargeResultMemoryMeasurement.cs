using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Tests.Shared;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Executors;

/// <summary>
/// The whole agent process answering a 1,000,000-row SQLite query: how far its resident memory
/// rises above where it stood before the query (peak, VmHWM) against the size of the result's
/// JSON as the orchestrator received it. The requirement: under twice the JSON size.
/// <code>
/// EGRESS_MEASURE=1 dotnet test tests/EgressAgent.EndToEnd.Tests -c Release \
///   --filter "FullyQualifiedName~LargeResultMemoryMeasurement" --logger "console;verbosity=detailed"
/// </code>
/// </summary>
public sealed class LargeResultMemoryMeasurement(ITestOutputHelper output)
{
    private const int Rows = 1_000_000;
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(5);

    [MeasurementFact]
    public async Task A_million_row_result_raises_the_agents_memory_by_less_than_twice_its_json_size()
    {
        using var databases = new TempDirectory();
        var database = CreateDatabase(databases.Path);
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output: null, settings => settings
            .Set("Connections:big:Provider", "sqlite")
            .Set("Connections:big:ConnectionString", $"Data Source={database}"));
        await emulator.WaitForRequestAsync(r => r.Path == "/stream", Bound);
        await Task.Delay(TimeSpan.FromSeconds(2)); // let start-up settle before the baseline is read
        var before = Status(agent.Id, "VmRSS:");

        emulator.Enqueue("/api/v1/agent/execute/sql/query", new JsonObject
        {
            ["connection"] = "big",
            ["query"] = "select id, name, score from t order by id",
            ["limit"] = Rows,
            ["timeout"] = 240,
        });
        emulator.SendEvent(new { type = "work_available" });
        var result = (await emulator.WaitForResultsAsync(1, Bound))[0];
        var peak = Status(agent.Id, "VmHWM:");
        emulator.SendEvent(new { type = "goodbye" });
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));

        Assert.Equal(Rows, result.Result!["__mcd_result__"]!["row_count"]!.GetValue<int>());
        var jsonBytes = Encoding.UTF8.GetByteCount(result.RawBody);
        var growth = peak - before;
        var ratio = (double)growth / jsonBytes;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result JSON {jsonBytes / 1048576.0:0.0} MiB; agent RSS before {before / 1048576.0:0.0} MiB, peak {peak / 1048576.0:0.0} MiB, growth {growth / 1048576.0:0.0} MiB = {ratio:0.00}x"));
        Assert.True(ratio < 2, $"memory grew {ratio:0.00}x the result's JSON size");
    }

    private static long Status(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return 1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static string CreateDatabase(string directory)
    {
        var path = Path.Combine(directory, "big.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            create table t (id integer primary key, name text, score real);
            with recursive c(x) as (select 1 union all select x + 1 from c where x < {Rows})
            insert into t select x, 'name-' || x, x * 0.5 from c;
            """;
        command.ExecuteNonQuery();
        return path;
    }
}
