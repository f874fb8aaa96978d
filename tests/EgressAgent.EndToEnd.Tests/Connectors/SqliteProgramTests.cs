using System.Text.Json.Nodes;
using EgressAgent.EndToEnd.Tests.Harness;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static EgressAgent.EndToEnd.Tests.Connectors.CommandsPrograms;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>
/// The orchestrator's real work (docs/protocol.md §12) through the real agent process against a
/// real SQLite file: the standard program, the interpreter's errors, routing of connection types,
/// self-hosted credentials, read-only, timeouts, and no credential in any output.
/// </summary>
public sealed class SqliteProgramTests(ITestOutputHelper output) : IDisposable
{
    private const string Password = "sqlite-PASSWORD-never-shown-93e1";
    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task The_standard_program_returns_rows_description_and_rowcount_and_a_write_is_refused()
    {
        var database = CreateDatabase();
        var credentials = Credentials(database);
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["rows"] = new(ConnectorRun.Execute + "sqlite/fetch_crew", Standard("select id, name, score, badge, note from crew where id > ? order by id", new JsonArray(1)), credentials),
            ["delete"] = new(ConnectorRun.Execute + "sqlite/delete_crew", Standard("delete from crew"), credentials),
            ["one-then-many"] = new(ConnectorRun.Execute + "sqlite/page", Of(
                new JsonObject { ["method"] = "cursor", ["store"] = "c" },
                new JsonObject { ["target"] = "c", ["method"] = "execute", ["args"] = new JsonArray("select id from crew order by id", null) },
                new JsonObject { ["target"] = "c", ["method"] = "fetchone", ["store"] = "first" },
                new JsonObject { ["target"] = "c", ["method"] = "fetchmany", ["args"] = new JsonArray(1), ["store"] = "second" },
                new JsonObject
                {
                    ["target"] = "__utils",
                    ["method"] = "build_dict",
                    ["kwargs"] = new JsonObject
                    {
                        ["first"] = new JsonObject { ["__reference__"] = "first" },
                        ["second"] = new JsonObject { ["__reference__"] = "second" },
                        ["rest"] = new JsonObject { ["__type__"] = "call", ["target"] = "c", ["method"] = "fetchall" },
                    },
                }), credentials),
        });

        var rows = Payload(run["rows"]);
        Assert.Equal("""[[2,"Grace",6.5,{"__type__":"bytes","__data__":"AQID"},null],[3,"Alan",7,{"__type__":"bytes","__data__":"BA=="},"x"]]""", rows["all_results"]!.ToJsonString());
        Assert.Equal(2, rows["rowcount"]!.GetValue<int>());
        var description = rows["description"]!.AsArray();
        Assert.Equal(["id", "name", "score", "badge", "note"], description.Select(c => c![0]!.GetValue<string>()));
        Assert.All(description, c => Assert.Equal(7, c!.AsArray().Count));

        Error(run["delete"], "DatabaseError");
        Assert.Equal(3L, Scalar(database, "select count(*) from crew"));

        var page = Payload(run["one-then-many"]);
        Assert.Equal("[1]", page["first"]!.ToJsonString());
        Assert.Equal("[[2]]", page["second"]!.ToJsonString());
        Assert.Equal("[[3]]", page["rest"]!.ToJsonString());
        run.AssertNowhere(Password);
    }

    [Fact]
    public async Task Interpreter_and_routing_errors_are_error_results_with_the_contract_messages()
    {
        var credentials = Credentials(CreateDatabase());
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["method"] = new(ConnectorRun.Execute + "sqlite/x", Of(new JsonObject { ["method"] = "drop_everything" }), credentials),
            ["cursor-method"] = new(ConnectorRun.Execute + "sqlite/x", Of(
                new JsonObject { ["method"] = "cursor", ["store"] = "c" },
                new JsonObject { ["target"] = "c", ["method"] = "executemany" }), credentials),
            ["target"] = new(ConnectorRun.Execute + "sqlite/x", Of(new JsonObject { ["target"] = "_nope", ["method"] = "fetchall" }), credentials),
            ["type"] = new(ConnectorRun.Execute + "snowflake/fetch_tables", Standard("select 1"), new JsonObject { ["connect_args"] = new JsonObject { ["password"] = Password } }),
            ["builtin"] = new(ConnectorRun.Execute + "builtin/nope", new JsonObject()),
            ["response-type"] = new(ConnectorRun.Execute + "sqlite/x", AddTo(Standard("select 1"), "response_type", "xml"), credentials),
            ["empty"] = new(ConnectorRun.Execute + "sqlite/x", Of(
                new JsonObject { ["method"] = "cursor", ["store"] = "c" },
                new JsonObject { ["target"] = "c", ["method"] = "execute", ["args"] = new JsonArray("select 1 where 0", null) },
                new JsonObject { ["target"] = "c", ["method"] = "fetchall" }), credentials),
            ["types"] = new("/api/v1/agent/connectors/types", new JsonObject()),
        });

        Assert.Equal("Failed to resolve method drop_everything", run["method"]["__mcd_error__"]!.GetValue<string>());
        Assert.Equal("Failed to resolve method executemany", run["cursor-method"]["__mcd_error__"]!.GetValue<string>());
        Assert.Equal("_nope not found in context", run["target"]["__mcd_error__"]!.GetValue<string>());
        Assert.Equal("Connection type not supported by this agent: snowflake", run["type"]["__mcd_error__"]!.GetValue<string>());
        Assert.Equal("Unsupported operation path: " + ConnectorRun.Execute + "builtin/nope", run["builtin"]["__mcd_error__"]!.GetValue<string>());
        Assert.Equal("Invalid response_type 'xml'. Must be one of url, json", run["response-type"]["__mcd_error__"]!.GetValue<string>());
        Assert.Equal("{}", Payload(run["empty"]).ToJsonString());
        var types = Payload(run["types"])["types"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        Assert.Contains("sqlite", types);
        Assert.Contains("postgres", types);
        Assert.Contains("redshift", types);
        run.AssertNowhere(Password);
    }

    [Fact]
    public async Task Self_hosted_credentials_from_a_file_and_an_environment_variable_and_an_unreadable_one_is_a_CredentialsError()
    {
        var database = CreateDatabase();
        var secretFile = Path.Combine(_files.Path, "secret.json");
        await File.WriteAllTextAsync(secretFile, new JsonObject { ["connect_args"] = new JsonObject { ["database"] = database, ["password"] = Password } }.ToJsonString());
        var missing = Path.Combine(_files.Path, "missing.json");
        var run = await ConnectorRun.RunAsync(
            output,
            new Dictionary<string, ConnectorOperation>
            {
                ["file"] = new(ConnectorRun.Execute + "sqlite/x", Standard("select count(*) from crew"),
                    new JsonObject { ["self_hosted_credentials_type"] = "file", ["file_path"] = secretFile }),
                ["env"] = new(ConnectorRun.Execute + "sqlite/x", Standard("select count(*) from crew"),
                    new JsonObject { ["self_hosted_credentials_type"] = "env_var", ["env_var_name"] = "EGRESS_E2E_SQLITE_SECRET" }),
                ["missing"] = new(ConnectorRun.Execute + "sqlite/x", Standard("select 1"),
                    new JsonObject { ["self_hosted_credentials_type"] = "file", ["file_path"] = missing }),
            },
            settings => settings.Environment["EGRESS_E2E_SQLITE_SECRET"] = new JsonObject { ["connect_args"] = new JsonObject { ["database"] = database, ["password"] = Password } }.ToJsonString());

        Assert.Equal("[[3]]", Payload(run["file"])["all_results"]!.ToJsonString());
        Assert.Equal("[[3]]", Payload(run["env"])["all_results"]!.ToJsonString());
        Assert.StartsWith("Failed to read self-hosted credentials: ", Error(run["missing"], "CredentialsError"), StringComparison.Ordinal);
        run.AssertNowhere(Password);
    }

    [Fact]
    public async Task A_query_past_the_operation_timeout_ends_in_an_error_result()
    {
        var credentials = Credentials(CreateDatabase());
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["slow"] = new(ConnectorRun.Execute + "sqlite/x", Standard("with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c", timeoutSeconds: 1), credentials),
        });

        Assert.True(run["slow"].ContainsKey("__mcd_error__"), run["slow"].ToJsonString());
        Assert.Contains(run["slow"]["__mcd_error_type__"]!.GetValue<string>(), new[] { "TimeoutError", "QueryCanceled" });
    }

    private static JsonObject AddTo(JsonObject operation, string key, JsonNode value)
    {
        operation[key] = value;
        return operation;
    }

    private static JsonObject Credentials(string database) =>
        new() { ["connect_args"] = new JsonObject { ["database"] = database, ["password"] = Password } };

    private string CreateDatabase()
    {
        var path = Path.Combine(_files.Path, $"crew-{Guid.NewGuid():N}.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            create table crew (id integer primary key, name text, score real, badge blob, note text);
            insert into crew values (1, 'Ada', 5.25, x'00', null), (2, 'Grace', 6.5, x'010203', null), (3, 'Alan', 7.0, x'04', 'x');
            """;
        command.ExecuteNonQuery();
        return path;
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
