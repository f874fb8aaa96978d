using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Tests.Shared;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Executors;

/// <summary>
/// SQL through the real agent process (docs/adr/0009): rows come back, writes are refused by the
/// database and leave the data as it was, <c>VACUUM INTO</c> writes no file, a slow query is
/// stopped at its timeout, PostgreSQL binds parameters and refuses a superuser's connection
/// (in CI, where .ci/run starts a server).
/// </summary>
public sealed class SqlEndToEndTests(ITestOutputHelper output)
{
    private const string Query = "/api/v1/agent/execute/sql/query";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sqlite_returns_rows_refuses_a_delete_leaving_the_table_unchanged_and_stops_a_query_at_its_timeout()
    {
        using var databases = new TempDirectory();
        var database = Path.Combine(databases.Path, "t.db");
        Execute(database, "create table t (id integer primary key, name text, joined date); insert into t values (1, 'Ada', '2021-03-01'), (2, 'Grace', '2022-01-17'), (3, 'Alan', '2023-07-01');");

        var copy = Path.Combine(databases.Path, "copy.db");
        var results = await RunAsync("sqlite", $"Data Source={database}", new Dictionary<string, JsonObject>
        {
            ["rows"] = Sql("select id, name from t where id >= @min order by id", new JsonObject { ["min"] = 2 }),
            ["delete"] = Sql("delete from t"),
            ["slow"] = Sql("with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c", timeoutSeconds: 1),
            ["vacuum"] = Sql($"vacuum into '{copy}'"),
        });

        var rows = results["rows"][OperationResult.ResultKey]!;
        Assert.Equal("""[[2,"Grace"],[3,"Alan"]]""", rows["rows"]!.ToJsonString());
        Assert.Equal(2, rows["row_count"]!.GetValue<int>());
        Assert.False(rows["truncated"]!.GetValue<bool>());
        Assert.Equal(["id", "name"], rows["columns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));

        Assert.Equal("SqliteException:SQLITE_AUTH", results["delete"][OperationResult.ErrorTypeKey]!.GetValue<string>());
        Assert.Equal(3L, Scalar(database, "select count(*) from t"));

        Assert.Equal(ErrorKinds.Timeout, results["slow"][OperationResult.ErrorTypeKey]!.GetValue<string>());

        Assert.Equal("SqliteException:SQLITE_AUTH", results["vacuum"][OperationResult.ErrorTypeKey]!.GetValue<string>());
        Assert.False(File.Exists(copy));
    }

    [PostgresFact]
    public async Task Postgres_binds_parameters_and_refuses_writes()
    {
        // The agent connects as the ordinary role; the table is made (and dropped) by the admin,
        // and the ordinary role may even write it: the read-only transaction is what refuses.
        var connectionString = PostgresFactAttribute.ConnectionString!;
        var admin = PostgresFactAttribute.AdminConnectionString!;
        var reader = new NpgsqlConnectionStringBuilder(connectionString).Username;
        var table = $"e2e_crew_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"create table {table} (id int primary key, name text, salary numeric(10,2)); insert into {table} values (1, 'Ada', 5200.50), (2, 'Grace', 6100.00), (3, 'Alan', 5900.25); grant select, delete on {table} to \"{reader}\";", connection);
            await command.ExecuteNonQueryAsync();
        }

        try
        {
            var results = await RunAsync("postgres", connectionString, new Dictionary<string, JsonObject>
            {
                ["rows"] = Sql($"select name, salary from {table} where salary > @floor and name <> @skip order by id", new JsonObject { ["floor"] = 5500, ["skip"] = "Alan" }),
                ["delete"] = Sql($"delete from {table}"),
            });

            var rows = results["rows"][OperationResult.ResultKey]!;
            Assert.Equal("""[["Grace",{"__type__":"decimal","__data__":"6100.00"}]]""", rows["rows"]!.ToJsonString());
            Assert.Equal("PostgresException:25006", results["delete"][OperationResult.ErrorTypeKey]!.GetValue<string>());
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand($"select count(*) from {table}", connection);
            Assert.Equal(3L, (long)(await count.ExecuteScalarAsync())!);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop table {table}", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [PostgresFact]
    public async Task Postgres_refuses_a_superuser_connection_with_a_clear_error_before_the_query_runs()
    {
        var admin = PostgresFactAttribute.AdminConnectionString!;
        var user = new NpgsqlConnectionStringBuilder(admin).Username;
        var marker = Path.Combine(Path.GetTempPath(), $"egress-e2e-copy-{Guid.NewGuid():N}");
        try
        {
            var results = await RunAsync("postgres", admin, new Dictionary<string, JsonObject>
            {
                ["program"] = Sql($"copy (select 1) to program 'touch {marker}'"),
            });

            var result = results["program"];
            Assert.Equal("PrivilegedRole", result[OperationResult.ErrorTypeKey]!.GetValue<string>());
            Assert.StartsWith($"Role \"{user}\" is a superuser", result[OperationResult.ErrorKey]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.False(File.Exists(marker), "The program ran on the server");
        }
        finally
        {
            File.Delete(marker);
        }
    }

    /// <summary>Runs the operations through a real agent whose connection <c>db</c> is the given one; returns each result object by name.</summary>
    private async Task<Dictionary<string, JsonObject>> RunAsync(string provider, string connectionString, Dictionary<string, JsonObject> operations)
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, settings => settings
            .Set("Connections:db:Provider", provider)
            .Set("Connections:db:ConnectionString", connectionString));
        await emulator.WaitForRequestAsync(r => r.Path == "/stream", Bound);

        var ids = operations.ToDictionary(o => o.Key, o => emulator.Enqueue(Query, o.Value));
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForResultsAsync(ids.Count, Bound);
        emulator.SendEvent(new { type = "goodbye", reason = "test finished" });
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));

        return ids.ToDictionary(i => i.Key, i => emulator.Results.Last(r => r.OperationId == i.Value && r.Accepted).Result!);
    }

    private static JsonObject Sql(string query, JsonObject? parameters = null, int timeoutSeconds = 20)
    {
        var operation = new JsonObject { ["connection"] = "db", ["query"] = query, ["timeout"] = timeoutSeconds };
        if (parameters is not null)
        {
            operation["parameters"] = parameters;
        }

        return operation;
    }

    private static void Execute(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=false;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
