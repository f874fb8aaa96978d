using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Executors;

/// <summary>
/// The real agent runs health, metrics, logs and SQL queries (failing ones included) with every
/// log level on; then every output of the run — results as the orchestrator received them, every
/// log line, anything left on disk — is searched for the configured secrets.
/// </summary>
public sealed class ExecutorOutputSecretsTests(ITestOutputHelper output)
{
    private const string Execute = "/api/v1/agent/execute/";
    private const string DatabasePassword = "db-PASSWORD-never-logged-41c7";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task No_result_log_line_or_stored_file_of_a_run_contains_a_configured_secret()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        using var databases = new TempDirectory();
        var sqlite = CreateDatabase(databases.Path);
        var unreachable = $"Host=127.0.0.1;Port=1;Username=agent;Password={DatabasePassword};Database=x;Timeout=2";
        await using var agent = AgentProcess.Start(emulator, data, output, settings =>
        {
            settings.Set("Connections:local:Provider", "sqlite").Set("Connections:local:ConnectionString", sqlite);
            settings.Set("Connections:remote:Provider", "postgres").Set("Connections:remote:ConnectionString", unreachable);
            settings.Environment["Logging__LogLevel__Default"] = "Trace";
            settings.Environment["Logging__LogLevel__Microsoft"] = "Trace";
            settings.Environment["Logging__LogLevel__System.Net.Http.HttpClient"] = "Trace";
        });
        await emulator.WaitForRequestAsync(r => r.Path == "/stream", Bound);

        var ids = new Dictionary<string, string>
        {
            ["health"] = emulator.Enqueue("/api/v1/test/health", new JsonObject { ["trace_id"] = "t-health" }),
            ["metrics"] = emulator.Enqueue("/api/v1/agent/metrics", new JsonObject()),
            ["rows"] = emulator.Enqueue(Execute + "sql/query", Sql("local", "select id, name from crew where id = @id", new JsonObject { ["id"] = 1 })),
            ["syntax"] = emulator.Enqueue(Execute + "sql/query", Sql("local", "selec nothing")),
            ["write"] = emulator.Enqueue(Execute + "sql/query", Sql("local", "delete from crew")),
            ["refused"] = emulator.Enqueue(Execute + "sql/query", Sql("remote", "select 1")),
            ["unknown"] = emulator.Enqueue(Execute + "sql/query", Sql("nosuch", "select 1")),
            ["too-large"] = emulator.Enqueue(Execute + "sql/query", Sql("local", "select * from crew", sizeLimit: 50)),
        };
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForResultsAsync(ids.Count, Bound);
        ids["logs"] = emulator.Enqueue("/api/v1/agent/logs", new JsonObject { ["limit"] = 5000 });
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForResultsAsync(ids.Count, Bound);
        emulator.SendEvent(new { type = "goodbye", reason = "test finished" });
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));

        var results = ids.ToDictionary(p => p.Key, p => emulator.Results.Last(r => r.OperationId == p.Value));
        AssertRanAsExpected(results);
        string[] secrets = [EmulatorCredential.Secret, DatabasePassword, unreachable, sqlite];
        string[] outputs = [.. results.Values.Select(r => r.RawBody), .. agent.Lines, .. Directory.EnumerateFiles(data.Path, "*", SearchOption.AllDirectories).Select(File.ReadAllText)];
        Assert.Contains(outputs, o => o.Contains(EmulatorCredential.Id, StringComparison.Ordinal)); // the search does find what is there
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(outputs, o => o.Contains(secret, StringComparison.Ordinal));
        }

        Assert.Contains(agent.Lines, l => l.Contains("dbug", StringComparison.Ordinal) || l.Contains("trce", StringComparison.Ordinal));
    }

    private static void AssertRanAsExpected(Dictionary<string, RecordedResult> results)
    {
        JsonNode? Payload(string name) => results[name].Result![OperationResult.ResultKey];
        string? Kind(string name) => results[name].Result![OperationResult.ErrorTypeKey]?.GetValue<string>();

        Assert.Equal("running", Payload("health")!["state"]!.GetValue<string>());
        Assert.Equal("e2e-key-id", Payload("health")!["authentication_key_id"]!.GetValue<string>());
        Assert.Contains("egress_operations_total", Payload("metrics")!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("""[[1,"Ada"]]""", Payload("rows")!["rows"]!.ToJsonString());
        Assert.Equal("SqliteException:SQLITE_ERROR", Kind("syntax"));
        Assert.Equal("SqliteException:SQLITE_AUTH", Kind("write"));
        Assert.Equal("NpgsqlException", Kind("refused"));
        Assert.Equal("UnknownConnection", Kind("unknown"));
        Assert.Equal("ResultTooLarge", Kind("too-large"));
        Assert.Contains(Payload("logs")!["records"]!.AsArray(), r => r!["message"]!.GetValue<string>().Contains("finished with", StringComparison.Ordinal));
    }

    private static JsonObject Sql(string connection, string query, JsonObject? parameters = null, int? sizeLimit = null)
    {
        var operation = new JsonObject { ["connection"] = connection, ["query"] = query, ["timeout"] = 10 };
        if (parameters is not null)
        {
            operation["parameters"] = parameters;
        }

        if (sizeLimit is { } limit)
        {
            operation["response_size_limit_bytes"] = limit;
        }

        return operation;
    }

    private static string CreateDatabase(string directory)
    {
        var path = Path.Combine(directory, "crew.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "create table crew (id integer primary key, name text); insert into crew values (1, 'Ada'), (2, 'Grace');";
            command.ExecuteNonQuery();
        }

        return $"Data Source={path}";
    }
}
