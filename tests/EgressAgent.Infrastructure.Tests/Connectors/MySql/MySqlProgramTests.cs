using System.Diagnostics;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Connectors.MySql;

/// <summary>
/// The mysql type through the shared SQL runtime (client → session → cursor, docs/protocol.md
/// §12.2) against the real MariaDB of <c>.ci/run</c>: what the orchestrator's standard program
/// sees, with <c>%s</c> and <c>%(name)s</c> parameters, every value, and its error results.
/// </summary>
public sealed class MySqlProgramTests
{
    private readonly MySqlConnectionType _type = new();

    [MariaDbFact]
    public async Task The_standard_program_returns_rows_description_and_rowcount()
    {
        var table = MariaDbTestSource.UniqueName("orders");
        await MariaDbTestSource.AdminAsync($"""
            CREATE TABLE {table} (id INT NOT NULL, amount DECIMAL(10,2), created_at DATETIME);
            INSERT INTO {table} VALUES (1, 10.50, '2024-05-01 12:00:00'), (2, 3.00, '2024-05-02 08:30:00');
            """);
        try
        {
            var result = await RunAsync(MariaDbTestSource.Request(type: "mysql"), $"SELECT id, amount, created_at FROM {table} WHERE id > %s ORDER BY id", new JsonArray(0));

            Assert.Equal(
                """{"all_results":[[1,{"__type__":"decimal","__data__":"10.50"},{"__type__":"datetime","__data__":"2024-05-01T12:00:00"}],[2,{"__type__":"decimal","__data__":"3.00"},{"__type__":"datetime","__data__":"2024-05-02T08:30:00"}]],"description":[["id","INT",null,11,null,null,false],["amount","DECIMAL",null,12,10,2,true],["created_at","DATETIME",null,19,null,null,true]],"rowcount":2}""",
                result.ToJsonString());

            var named = await RunAsync(MariaDbTestSource.Request(type: "mariadb"), $"SELECT id, '100%%' AS pct FROM {table} WHERE id = %(id)s AND amount > %(least)s", new JsonObject { ["id"] = 2, ["least"] = 1.5 });
            Assert.Equal("""[[2,"100%"]]""", named["all_results"]!.ToJsonString());
            Assert.Equal(1, named["rowcount"]!.GetValue<long>());
        }
        finally
        {
            await MariaDbTestSource.AdminAsync($"DROP TABLE {table}");
        }
    }

    [MariaDbFact]
    public async Task Every_value_the_JSON_model_lacks_has_its_tagged_or_string_shape()
    {
        const string Sql = """
            SELECT CAST('2024-05-01 10:59:00' AS DATETIME) AS dt, CAST('2024-05-01 10:59:00.123' AS DATETIME(6)) AS dt_fraction,
                   CAST('2024-05-01' AS DATE) AS d, CAST('10:59:00' AS TIME) AS t, CAST('25:00:00' AS TIME) AS long_t,
                   CAST('12345678901234567890123456789012345.5' AS DECIMAL(65,1)) AS big, CAST(10.50 AS DECIMAL(10,2)) AS amount,
                   X'0102FF' AS b, JSON_OBJECT('a', 1) AS j, %s AS word, NULL AS nothing, 18446744073709551615 AS u
            """;

        var row = (await RunAsync(MariaDbTestSource.Request(), Sql, new JsonArray("hi")))["all_results"]![0]!.AsArray();

        Assert.Equal("""{"__type__":"datetime","__data__":"2024-05-01T10:59:00"}""", row[0]!.ToJsonString());
        Assert.Equal("""{"__type__":"datetime","__data__":"2024-05-01T10:59:00.123000"}""", row[1]!.ToJsonString());
        Assert.Equal("""{"__type__":"date","__data__":"2024-05-01"}""", row[2]!.ToJsonString());
        Assert.Equal("""{"__type__":"time","__data__":"10:59:00"}""", row[3]!.ToJsonString());
        Assert.Equal("\"25:00:00\"", row[4]!.ToJsonString());
        Assert.Equal("""{"__type__":"decimal","__data__":"12345678901234567890123456789012345.5"}""", row[5]!.ToJsonString());
        Assert.Equal("""{"__type__":"decimal","__data__":"10.50"}""", row[6]!.ToJsonString());
        Assert.Equal("""{"__type__":"bytes","__data__":"AQL/"}""", row[7]!.ToJsonString());
        Assert.Equal("{\"a\": 1}", row[8]!.GetValue<string>());
        Assert.Equal("\"hi\"", row[9]!.ToJsonString());
        Assert.Null(row[10]);
        Assert.Equal("18446744073709551615", row[11]!.ToJsonString());
    }

    [MariaDbFact]
    public async Task A_table_the_user_may_not_read_is_an_InsufficientPrivilege_result()
    {
        var database = MariaDbTestSource.UniqueName("private");
        await MariaDbTestSource.AdminAsync($"CREATE DATABASE {database}; CREATE TABLE {database}.secrets (x INT);");
        try
        {
            var failure = await Assert.ThrowsAsync<OperationFailedException>(() => RunAsync(MariaDbTestSource.Request(), $"SELECT * FROM {database}.secrets"));

            Assert.Equal(ConnectorErrorKinds.InsufficientPrivilege, failure.Kind);
            Assert.Equal(1142, (int?)failure.Attributes?["errno"]);
            Assert.Equal("42000", (string?)failure.Attributes?["sqlstate"]);
            Assert.StartsWith("InsufficientPrivilege: SELECT command denied", failure.ExceptionText, StringComparison.Ordinal);
        }
        finally
        {
            await MariaDbTestSource.AdminAsync($"DROP DATABASE {database}");
        }
    }

    [MariaDbFact]
    public async Task A_write_is_refused_in_the_read_only_transaction_and_the_table_is_unchanged()
    {
        var table = MariaDbTestSource.UniqueName("guarded");
        await MariaDbTestSource.AdminAsync($"CREATE TABLE {table} (x INT); INSERT INTO {table} VALUES (1), (2);");
        try
        {
            // The admin may write: only the read-only session stops it.
            foreach (var write in new[] { $"DELETE FROM {table}", $"COMMIT; DELETE FROM {table}", $"INSERT INTO {table} VALUES (%s)" })
            {
                var failure = await Assert.ThrowsAsync<OperationFailedException>(() => RunAsync(MariaDbTestSource.Request(admin: true), write, write.Contains("%s", StringComparison.Ordinal) ? new JsonArray(3) : null));

                Assert.Equal(ConnectorErrorKinds.DatabaseError, failure.Kind);
                Assert.Equal(1792, (int?)failure.Attributes?["errno"]);
                Assert.Equal("25006", (string?)failure.Attributes?["sqlstate"]);
            }

            Assert.Equal(2L, await MariaDbTestSource.AdminScalarAsync($"SELECT COUNT(*) FROM {table}"));
        }
        finally
        {
            await MariaDbTestSource.AdminAsync($"DROP TABLE {table}");
        }
    }

    [MariaDbFact]
    public async Task A_statement_past_the_operation_timeout_is_cancelled_on_the_server()
    {
        var marker = MariaDbTestSource.UniqueName("slow");
        var started = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<OperationFailedException>(() => RunAsync(MariaDbTestSource.Request(), $"SELECT SLEEP(30) AS {marker}", timeout: TimeSpan.FromSeconds(1)));

        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(ConnectorErrorKinds.QueryCanceled, failure.Kind);
        Assert.Equal(0L, await RunningAsync(marker));
    }

    [MariaDbFact]
    public async Task A_cancelled_operation_leaves_no_statement_on_the_server()
    {
        var marker = MariaDbTestSource.UniqueName("cancelled");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
        var started = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(MariaDbTestSource.Request(), $"SELECT SLEEP(30) AS {marker}", cancellationToken: cancel.Token));

        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(0L, await RunningAsync(marker));
    }

    [MariaDbFact]
    public async Task A_wrong_password_is_a_ConnectionError_without_the_password_in_any_text()
    {
        const string Wrong = "mysql-WRONG-password-never-shown-8e1f";
        var failure = await Assert.ThrowsAsync<OperationFailedException>(() => RunAsync(MariaDbTestSource.Request(change: args => args["password"] = Wrong), "SELECT 1"));

        Assert.Equal(ConnectorErrorKinds.ConnectionError, failure.Kind);
        Assert.Equal(1045, (int?)failure.Attributes?["errno"]);
        foreach (var text in new[] { failure.Message, failure.ExceptionText ?? string.Empty, failure.Attributes?.ToJsonString() ?? string.Empty, failure.ToString() })
        {
            Assert.DoesNotContain(Wrong, text, StringComparison.Ordinal);
        }
    }

    [MariaDbFact]
    public async Task An_unreachable_server_is_a_ConnectionError()
    {
        var failure = await Assert.ThrowsAsync<OperationFailedException>(() => RunAsync(
            MariaDbTestSource.Request(change: args => { args["port"] = 1; args["connect_timeout"] = 2; }), "SELECT 1"));

        Assert.Equal(ConnectorErrorKinds.ConnectionError, failure.Kind);
        Assert.DoesNotContain(new MySqlConnector.MySqlConnectionStringBuilder(MariaDbFactAttribute.ConnectionString).Password, failure.ToString(), StringComparison.Ordinal);
    }

    /// <summary>cursor → execute → build_dict(all_results=fetchall, description, rowcount), as the orchestrator's program does.</summary>
    private async Task<JsonObject> RunAsync(ConnectionRequest request, string sql, JsonNode? parameters = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await using var client = _type.CreateClient(request);
        await using var session = await client.OpenSessionAsync(new SessionLimits(timeout), cancellationToken);
        var cursor = Assert.IsAssignableFrom<IProgramObject>(await session.InvokeAsync("cursor", ProgramArguments.None, cancellationToken));
        Assert.Null(await cursor.InvokeAsync("execute", new ProgramArguments([JsonValue.Create(sql), parameters], new Dictionary<string, object?>()), cancellationToken));
        return new JsonObject
        {
            ["all_results"] = WireValues.ToJson(await cursor.InvokeAsync("fetchall", ProgramArguments.None, cancellationToken)),
            ["description"] = WireValues.ToJson(await cursor.InvokeAsync("description", ProgramArguments.None, cancellationToken)),
            ["rowcount"] = WireValues.ToJson(await cursor.InvokeAsync("rowcount", ProgramArguments.None, cancellationToken)),
        };
    }

    private static async Task<long> RunningAsync(string marker)
    {
        for (var attempt = 0; ; attempt++)
        {
            var count = Convert.ToInt64(
                await MariaDbTestSource.AdminScalarAsync($"SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE '%{marker}%' AND info NOT LIKE '%processlist%'"),
                System.Globalization.CultureInfo.InvariantCulture);
            if (count == 0 || attempt == 20)
            {
                return count;
            }

            await Task.Delay(100);
        }
    }
}
