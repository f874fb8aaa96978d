using System.Text.Json.Nodes;

namespace EgressAgent.Host.Commands;

internal static class DemoSamples
{
    private const string Execute = "/api/v1/agent/execute/";
    private const string Network = "/api/v1/test/network/";

    /// <summary>
    /// The samples; the connector ones read the demo's SQLite file at <paramref name="databasePath"/>, the
    /// network diagnostic checks the emulator's own <paramref name="emulatorPort"/> (the demo allows loopback).
    /// With <paramref name="offloadTraceId"/> (an object store is configured) the result over its size
    /// limit goes to the store (docs/protocol.md §13); without, it is the <c>Result too large</c> failure (§5.3).
    /// </summary>
    public static IReadOnlyList<DemoSample> For(string databasePath, int emulatorPort, string? offloadTraceId) =>
    [
        new("echo a greeting", Execute + "builtin/echo", new JsonObject { ["trace_id"] = "demo-1", ["greeting"] = "hello from the private network" }),
        new("echo numbers", Execute + "builtin/echo", new JsonObject { ["values"] = new JsonArray(1, 2, 3) }),
        new("echo nested", Execute + "builtin/echo", new JsonObject { ["trace_id"] = "demo-3", ["nested"] = new JsonObject { ["ok"] = true } }),
        new("sleep 200 ms", Execute + "builtin/sleep", new JsonObject { ["duration_ms"] = 200 }),
        new("sleep 1 s", Execute + "builtin/sleep", new JsonObject { ["duration_ms"] = 1000 }),
        new("sleep 50 ms", Execute + "builtin/sleep", new JsonObject { ["duration_ms"] = 50 }),
        new("a failing operation", Execute + "builtin/fail", new JsonObject { ["message"] = "this one fails on purpose" }),
        new("an unsupported path", "/api/v1/agent/nosuch", new JsonObject { ["trace_id"] = "demo-8" }),
        new("sleep past its timeout", Execute + "builtin/sleep", new JsonObject { ["duration_ms"] = 5000, ["timeout"] = 0.5 }),
        OverItsSizeLimit(offloadTraceId),
        new("oversized body fetched with E5", Execute + "builtin/echo", new JsonObject { ["trace_id"] = "demo-11", ["big"] = new string('y', 64) }, Oversized: true),
        new("bad sleep argument", Execute + "builtin/sleep", new JsonObject { ["duration_ms"] = -1 }),
        new("sql: the crew by join date", Execute + "sql/query", Sql("select name, role, joined, salary from crew order by joined")),
        new("sql: engineers, with parameters", Execute + "sql/query", Sql(
            "select name, salary from crew where role = @role and salary > @min order by salary desc",
            new JsonObject { ["role"] = "engineer", ["min"] = 5000 })),
        new("sql: a write is refused", Execute + "sql/query", Sql("delete from crew")),
        new("sqlite program: engineers", Execute + "sqlite/fetch_crew", Program(
            "select name, joined, salary from crew where role = ? order by salary desc", new JsonArray("engineer")),
            Credentials: SqliteCredentials(databasePath)),
        new("sqlite program: write refused", Execute + "sqlite/delete_crew", Program("delete from crew", null),
            Credentials: SqliteCredentials(databasePath)),
        new("connection type not served", Execute + "snowflake/fetch_tables", Program("select 1", null),
            Credentials: new JsonObject { ["connect_args"] = new JsonObject { ["account"] = "demo" } }),
        new("network: orchestrator port open", Network + "open", new JsonObject { ["host"] = "127.0.0.1", ["port"] = emulatorPort, ["timeout"] = 2 }),
        new("network: cloud metadata refused", Network + "http", new JsonObject { ["url"] = "http://169.254.169.254/latest/meta-data/", ["timeout"] = 2 }),
    ];

    private static DemoSample OverItsSizeLimit(string? offloadTraceId) => offloadTraceId is null
        ? new("result over its size limit", Execute + "builtin/echo", new JsonObject { ["blob"] = new string('x', 500), ["response_size_limit_bytes"] = 100 })
        : new("result offloaded to storage", Execute + "builtin/echo", new JsonObject
        {
            ["trace_id"] = offloadTraceId,
            ["response_size_limit_bytes"] = 200,
            ["crew"] = new JsonArray("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald"),
            ["note"] = "over its 200-byte limit: uploaded, and only where to fetch it was published",
        });

    /// <summary>The shape every SQL monitor of the orchestrator sends (docs/protocol.md §12.2).</summary>
    private static JsonObject Program(string sql, JsonArray? parameters) => new()
    {
        ["commands"] = new JsonArray(
            new JsonObject { ["method"] = "cursor", ["store"] = "_cursor" },
            new JsonObject { ["target"] = "_cursor", ["method"] = "execute", ["args"] = new JsonArray(sql, parameters) },
            new JsonObject
            {
                ["target"] = "__utils",
                ["method"] = "build_dict",
                ["kwargs"] = new JsonObject
                {
                    ["all_results"] = Call("fetchall"),
                    ["description"] = Call("description"),
                    ["rowcount"] = Call("rowcount"),
                },
            }),
    };

    private static JsonObject Call(string method) => new() { ["__type__"] = "call", ["target"] = "_cursor", ["method"] = method };

    private static JsonObject SqliteCredentials(string databasePath) =>
        new() { ["connect_args"] = new JsonObject { ["database"] = databasePath } };

    private static JsonObject Sql(string query, JsonObject? parameters = null)
    {
        var operation = new JsonObject { ["connection"] = DemoDatabase.ConnectionName, ["query"] = query, ["limit"] = 10 };
        if (parameters is not null)
        {
            operation["parameters"] = parameters;
        }

        return operation;
    }
}
