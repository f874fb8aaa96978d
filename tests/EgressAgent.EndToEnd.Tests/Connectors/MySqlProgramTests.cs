using System.Text.Json.Nodes;
using EgressAgent.Tests.Shared;
using Xunit.Abstractions;
using static EgressAgent.EndToEnd.Tests.Connectors.CommandsPrograms;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>
/// The orchestrator's real work (docs/protocol.md §12) through the real agent process against the
/// real MariaDB .ci/run starts, as connection type <c>mysql</c> and its alias <c>mariadb</c>: the
/// standard program with <c>%s</c> parameters, every <c>__type__</c>, a permission error, a write
/// refused, a timeout cancelled on the server, a bad password.
/// </summary>
public sealed class MySqlProgramTests(ITestOutputHelper output)
{
    [MariaDbFact]
    public async Task The_standard_program_returns_rows_description_and_rowcount()
    {
        await using var fixture = await MariaDbFixture.CreateAsync("""
            CREATE TABLE {t} (id INT NOT NULL, amount DECIMAL(10,2), created_at DATETIME);
            INSERT INTO {t} VALUES (1, 10.50, '2024-05-01 12:00:00'), (2, 3.00, '2024-05-02 08:30:00');
            """);
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["mysql"] = new(ConnectorRun.Execute + "mysql/fetch_orders", Standard($"SELECT id, amount, created_at FROM {fixture.Table} WHERE id > %s ORDER BY id", new JsonArray(0)), fixture.Credentials()),
            ["mariadb"] = new(ConnectorRun.Execute + "mariadb/fetch_orders", Standard($"SELECT id FROM {fixture.Table} WHERE id = %(id)s AND '100%%' <> ''", new JsonObject { ["id"] = 2 }), fixture.Credentials()),
        });

        Assert.Equal(
            """{"all_results":[[1,{"__type__":"decimal","__data__":"10.50"},{"__type__":"datetime","__data__":"2024-05-01T12:00:00"}],[2,{"__type__":"decimal","__data__":"3.00"},{"__type__":"datetime","__data__":"2024-05-02T08:30:00"}]],"description":[["id","INT",null,11,null,null,false],["amount","DECIMAL",null,12,10,2,true],["created_at","DATETIME",null,19,null,null,true]],"rowcount":2}""",
            Payload(run["mysql"]).ToJsonString());
        Assert.Equal("[[2]]", Payload(run["mariadb"])["all_results"]!.ToJsonString());
        Assert.Equal(1, Payload(run["mariadb"])["rowcount"]!.GetValue<int>());
    }

    [MariaDbFact]
    public async Task Every_value_the_JSON_model_lacks_has_its_tagged_or_string_shape()
    {
        await using var fixture = await MariaDbFixture.CreateAsync("CREATE TABLE {t} (id INT)");
        const string Sql = """
            SELECT CAST('2024-05-01 10:59:00' AS DATETIME) AS dt, CAST('2024-05-01 10:59:00.123' AS DATETIME(6)) AS dt_fraction,
                   CAST('2024-05-01' AS DATE) AS d, CAST('10:59:00' AS TIME) AS t, CAST('25:00:00' AS TIME) AS long_t,
                   CAST('12345678901234567890123456789012345.5' AS DECIMAL(65,1)) AS big, CAST(10.50 AS DECIMAL(10,2)) AS amount,
                   X'0102FF' AS b, JSON_OBJECT('a', 1) AS j, %s AS word, '100%%' AS pct
            """;
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["types"] = new(ConnectorRun.Execute + "mysql/types", Standard(Sql, new JsonArray("hi")), fixture.Credentials()),
        });

        var row = Payload(run["types"])["all_results"]![0]!.AsArray();
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
        Assert.Equal("\"100%\"", row[10]!.ToJsonString());
    }

    [MariaDbFact]
    public async Task A_permission_error_and_a_refused_write_are_error_results_and_the_table_is_unchanged()
    {
        await using var fixture = await MariaDbFixture.CreateAsync("""
            CREATE TABLE {t} (id INT); INSERT INTO {t} VALUES (1), (2);
            CREATE DATABASE {t}_secret; CREATE TABLE {t}_secret.hidden (id INT);
            """);
        // This user may even delete: the read-only session is what refuses.
        const string WriterPassword = "mysql-writer-password-never-shown-31c9";
        var writer = await fixture.CreateUserAsync(WriterPassword, "SELECT, DELETE");
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["denied"] = new(ConnectorRun.Execute + "mysql/x", Standard($"SELECT * FROM {fixture.SecretDatabase}.hidden"), fixture.Credentials()),
            ["delete"] = new(ConnectorRun.Execute + "mysql/x", Standard($"DELETE FROM {fixture.Table}"), fixture.Credentials(writer, WriterPassword)),
            ["commit"] = new(ConnectorRun.Execute + "mysql/x", Standard($"COMMIT; DELETE FROM {fixture.Table}"), fixture.Credentials(writer, WriterPassword)),
        });

        Error(run["denied"], "InsufficientPrivilege");
        Assert.Equal(1142, run["denied"]["__mcd_error_attrs__"]!["errno"]!.GetValue<int>());
        Assert.Equal("42000", run["denied"]["__mcd_error_attrs__"]!["sqlstate"]!.GetValue<string>());
        Assert.StartsWith("InsufficientPrivilege: ", run["denied"]["__mcd_exception__"]!.GetValue<string>(), StringComparison.Ordinal);
        Error(run["delete"], "DatabaseError");
        Assert.Equal("25006", run["delete"]["__mcd_error_attrs__"]!["sqlstate"]!.GetValue<string>());
        Assert.Equal(1792, run["delete"]["__mcd_error_attrs__"]!["errno"]!.GetValue<int>());
        Assert.True(run["commit"].ContainsKey("__mcd_error__"), run["commit"].ToJsonString());
        Assert.Equal(2L, await MariaDbFixture.ScalarAsync($"SELECT COUNT(*) FROM {fixture.Table}"));
        run.AssertNowhere(WriterPassword);
    }

    [MariaDbFact]
    public async Task A_query_past_its_timeout_is_an_error_result_and_is_gone_from_the_server()
    {
        await using var fixture = await MariaDbFixture.CreateAsync("CREATE TABLE {t} (id INT)");
        var marker = $"e2e_sleep_{Guid.NewGuid():N}";
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["slow"] = new(ConnectorRun.Execute + "mysql/x", Standard($"SELECT SLEEP(60) AS {marker}", timeoutSeconds: 1), fixture.Credentials()),
        });

        Assert.True(run["slow"].ContainsKey("__mcd_error__"), run["slow"].ToJsonString());
        Assert.Contains(run["slow"]["__mcd_error_type__"]!.GetValue<string>(), new[] { "TimeoutError", "QueryCanceled" });
        Assert.Equal(0L, await MariaDbFixture.ScalarAsync($"SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE '%{marker}%' AND info NOT LIKE '%processlist%'"));
    }

    [MariaDbFact]
    public async Task A_wrong_password_is_a_ConnectionError_that_shows_the_password_nowhere()
    {
        await using var fixture = await MariaDbFixture.CreateAsync("CREATE TABLE {t} (id INT)");
        const string WrongPassword = "mysql-WRONG-password-never-shown-8e1f";
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["wrong"] = new(ConnectorRun.Execute + "mysql/x", Standard("SELECT 1"), fixture.Credentials(password: WrongPassword)),
            ["right"] = new(ConnectorRun.Execute + "mysql/x", Standard("SELECT 1 AS one"), fixture.Credentials()),
        });

        Error(run["wrong"], "ConnectionError");
        Assert.Equal("[[1]]", Payload(run["right"])["all_results"]!.ToJsonString());
        run.AssertNowhere(WrongPassword);
        run.AssertNowhere(MariaDbFixture.ReaderPassword);
    }
}
