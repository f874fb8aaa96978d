using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static EgressAgent.EndToEnd.Tests.Connectors.CommandsPrograms;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>
/// The orchestrator's real work (docs/protocol.md §12) through the real agent process against a
/// real DuckDB file (embedded): the standard program with exact decimals and timestamps, a write
/// refused by the read-only file, and a query stopped at the operation's timeout.
/// </summary>
public sealed class DuckDbProgramTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task The_standard_program_returns_exact_values_and_a_write_or_a_file_read_is_refused()
    {
        var database = Path.Combine(_files.Path, "orders.duckdb");
        using (var connection = new DuckDBConnection($"Data Source={database}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                create table orders (id integer, amount decimal(10,2), created_at timestamp, day date, tag blob);
                insert into orders values (1, 10.50, '2024-05-01 12:00:00', '2024-05-01', '\x01\x02'::blob), (2, 20.00, '2024-05-02 08:30:00.25', '2024-05-02', null);
                """;
            command.ExecuteNonQuery();
        }

        var credentials = new JsonObject { ["connect_args"] = new JsonObject { ["database"] = database } };
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["rows"] = new(ConnectorRun.Execute + "duckdb/fetch_orders", Standard("select id, amount, created_at, day, tag from orders where id > ? order by id", new JsonArray(0)), credentials),
            ["insert"] = new(ConnectorRun.Execute + "duckdb/insert", Standard("insert into orders values (3, 1, null, null, null)"), credentials),
            ["file"] = new(ConnectorRun.Execute + "duckdb/read_file", Standard("select * from read_csv('/etc/passwd')"), credentials),
            ["slow"] = new(ConnectorRun.Execute + "duckdb/slow", Standard("select count(*) from range(100000000000) a", timeoutSeconds: 1), credentials),
        });

        var rows = Payload(run["rows"]);
        Assert.Equal(
            """[[1,{"__type__":"decimal","__data__":"10.50"},{"__type__":"datetime","__data__":"2024-05-01T12:00:00"},{"__type__":"date","__data__":"2024-05-01"},{"__type__":"bytes","__data__":"AQI="}],[2,{"__type__":"decimal","__data__":"20.00"},{"__type__":"datetime","__data__":"2024-05-02T08:30:00.250000"},{"__type__":"date","__data__":"2024-05-02"},null]]""",
            rows["all_results"]!.ToJsonString(Plain));
        Assert.Equal(2, rows["rowcount"]!.GetValue<int>());
        Assert.Equal(["id", "amount", "created_at", "day", "tag"], rows["description"]!.AsArray().Select(c => c![0]!.GetValue<string>()));

        Error(run["insert"], "DatabaseError");
        Error(run["file"], "InsufficientPrivilege"); // DuckDB's "Permission Error": file access is off
        Assert.True(run["slow"].ContainsKey("__mcd_error__"), run["slow"].ToJsonString());
        Assert.Contains(run["slow"]["__mcd_error_type__"]!.GetValue<string>(), new[] { "TimeoutError", "QueryCanceled" });

        using var check = new DuckDBConnection($"Data Source={database};ACCESS_MODE=READ_ONLY");
        check.Open();
        using var count = check.CreateCommand();
        count.CommandText = "select count(*) from orders";
        Assert.Equal(2L, Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }
}
