using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Tests.Shared;
using Xunit.Abstractions;
using static EgressAgent.EndToEnd.Tests.Connectors.CommandsPrograms;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>
/// The orchestrator's real work (docs/protocol.md §12) through the real agent process against the
/// real PostgreSQL server .ci/run starts: the contract's example exactly, every <c>__type__</c>,
/// a permission error, a write refused, a timeout cancelled on the server, a bad password.
/// </summary>
public sealed class PostgresProgramTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task The_contract_example_comes_back_exactly()
    {
        await using var fixture = await PostgresFixture.CreateAsync("""
            create table {t} (id int4, amount numeric(10,2), created_at timestamptz);
            insert into {t} values (1, 10.50, '2024-05-01 12:00:00+00');
            grant select on {t} to {reader};
            """);
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["example"] = new(ConnectorRun.Execute + "postgres/fetch_orders", Standard($"SELECT id, amount, created_at FROM {fixture.Table} WHERE id > %s", new JsonArray(0)), fixture.Credentials()),
        });

        Assert.Equal(
            """{"all_results":[[1,{"__type__":"decimal","__data__":"10.50"},{"__type__":"datetime","__data__":"2024-05-01T12:00:00+00:00"}]],"description":[["id",23,null,4,null,null,null],["amount",1700,null,-1,10,2,null],["created_at",1184,null,8,null,null,null]],"rowcount":1}""",
            Payload(run["example"]).ToJsonString(Plain));
        Assert.StartsWith("t-", run["example"]["__mcd_trace_id__"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Redshift_runs_the_standard_program_read_only_against_a_PostgreSQL_server()
    {
        // No Redshift here: its type (Npgsql without type loading, Redshift's defaults) is driven
        // through the real agent against the PostgreSQL server it speaks the protocol of.
        await using var fixture = await PostgresFixture.CreateAsync("""
            create table {t} (id int4, amount numeric(10,2)); insert into {t} values (1, 10.50);
            grant select, delete on {t} to {reader};
            """);
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["rows"] = new(ConnectorRun.Execute + "redshift/fetch_orders", Standard($"SELECT id, amount FROM {fixture.Table} WHERE id > %s", new JsonArray(0)), fixture.Credentials()),
            ["delete"] = new(ConnectorRun.Execute + "redshift/delete", Standard($"delete from {fixture.Table}"), fixture.Credentials()),
        });

        var rows = Payload(run["rows"]);
        Assert.Equal("""[[1,{"__type__":"decimal","__data__":"10.50"}]]""", rows["all_results"]!.ToJsonString(Plain));
        Assert.Equal(1, rows["rowcount"]!.GetValue<int>());
        Assert.Equal(["id", "amount"], rows["description"]!.AsArray().Select(c => c![0]!.GetValue<string>()));
        Error(run["delete"], "DatabaseError");
        Assert.Equal(1L, await fixture.ScalarAsync($"select count(*) from {fixture.Table}"));
    }

    [PostgresFact]
    public async Task Every_value_the_JSON_model_lacks_has_its_tagged_or_string_shape()
    {
        await using var fixture = await PostgresFixture.CreateAsync("create table {t} (id int); grant select on {t} to {reader};");
        const string Sql = """
            select timestamp '2024-05-01 10:59:00' as ts, timestamp '2024-05-01 10:59:00.123' as ts_fraction,
                   timestamptz '2024-05-01 10:59:00+00' as tstz, date '2024-05-01' as d, time '10:59:00' as t,
                   1234567890123456789012345678901234567890.5::numeric as big, 'NaN'::float8 as nan, 'Infinity'::float8 as inf,
                   '\x0102ff'::bytea as b, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, interval '1 day 2 hours' as i,
                   '10.0.0.1'::inet as addr, %(word)s::text as word, '100%%'::text as pct
            """;
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["types"] = new(ConnectorRun.Execute + "postgres/types", Standard(Sql, new JsonObject { ["word"] = "hi" }), fixture.Credentials()),
        });

        var row = Payload(run["types"])["all_results"]![0]!.AsArray();
        Assert.Equal("""{"__type__":"datetime","__data__":"2024-05-01T10:59:00"}""", row[0]!.ToJsonString(Plain));
        Assert.Equal("""{"__type__":"datetime","__data__":"2024-05-01T10:59:00.123000"}""", row[1]!.ToJsonString(Plain));
        Assert.Equal("""{"__type__":"datetime","__data__":"2024-05-01T10:59:00+00:00"}""", row[2]!.ToJsonString(Plain));
        Assert.Equal("""{"__type__":"date","__data__":"2024-05-01"}""", row[3]!.ToJsonString(Plain));
        Assert.Equal("""{"__type__":"time","__data__":"10:59:00"}""", row[4]!.ToJsonString(Plain));
        Assert.Equal("""{"__type__":"decimal","__data__":"1234567890123456789012345678901234567890.5"}""", row[5]!.ToJsonString(Plain));
        Assert.Equal("\"NaN\"", row[6]!.ToJsonString(Plain));
        Assert.Equal("\"Infinity\"", row[7]!.ToJsonString(Plain));
        Assert.Equal("""{"__type__":"bytes","__data__":"AQL/"}""", row[8]!.ToJsonString(Plain));
        Assert.Equal("\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"", row[9]!.ToJsonString(Plain));
        Assert.Equal(JsonValueKind.String, row[10]!.GetValueKind());
        Assert.Equal("\"10.0.0.1\"", row[11]!.ToJsonString(Plain));
        Assert.Equal("\"hi\"", row[12]!.ToJsonString(Plain));
        Assert.Equal("\"100%\"", row[13]!.ToJsonString(Plain));
    }

    [PostgresFact]
    public async Task A_permission_error_and_a_refused_write_are_error_results_and_the_table_is_unchanged()
    {
        // The ordinary role may even delete: the read-only transaction is what refuses.
        await using var fixture = await PostgresFixture.CreateAsync("""
            create table {t} (id int); insert into {t} values (1), (2);
            grant select, delete on {t} to {reader};
            create table {t}_secret (id int);
            """);
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["denied"] = new(ConnectorRun.Execute + "postgres/x", Standard($"select * from {fixture.Table}_secret"), fixture.Credentials()),
            ["delete"] = new(ConnectorRun.Execute + "postgres/x", Standard($"delete from {fixture.Table}"), fixture.Credentials()),
        });

        Error(run["denied"], "InsufficientPrivilege");
        Assert.Equal("42501", run["denied"]["__mcd_error_attrs__"]!["sqlstate"]!.GetValue<string>());
        Assert.StartsWith("InsufficientPrivilege: ", run["denied"]["__mcd_exception__"]!.GetValue<string>(), StringComparison.Ordinal);
        Error(run["delete"], "DatabaseError");
        Assert.Equal("25006", run["delete"]["__mcd_error_attrs__"]!["sqlstate"]!.GetValue<string>());
        Assert.Equal(2L, await fixture.ScalarAsync($"select count(*) from {fixture.Table}"));
    }

    [PostgresFact]
    public async Task A_query_past_its_timeout_is_an_error_result_and_is_gone_from_the_server()
    {
        await using var fixture = await PostgresFixture.CreateAsync("create table {t} (id int); grant select on {t} to {reader};");
        var marker = $"e2e_sleep_{Guid.NewGuid():N}";
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["slow"] = new(ConnectorRun.Execute + "postgres/x", Standard($"select pg_sleep(60) as {marker}", timeoutSeconds: 1), fixture.Credentials()),
        });

        Assert.True(run["slow"].ContainsKey("__mcd_error__"), run["slow"].ToJsonString(Plain));
        Assert.Contains(run["slow"]["__mcd_error_type__"]!.GetValue<string>(), new[] { "TimeoutError", "QueryCanceled" });
        Assert.Equal(0L, await fixture.ScalarAsync($"select count(*) from pg_stat_activity where query like '%{marker}%' and pid <> pg_backend_pid()"));
    }

    [PostgresFact]
    public async Task A_wrong_password_is_a_ConnectionError_that_shows_the_password_nowhere()
    {
        await using var fixture = await PostgresFixture.CreateAsync("create table {t} (id int);");
        const string WrongPassword = "pg-WRONG-password-never-shown-5b2d";
        var role = await fixture.CreatePasswordRoleAsync("pg-right-password-never-shown-77aa");
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["wrong"] = new(ConnectorRun.Execute + "postgres/x", Standard("select 1"), fixture.Credentials(role, WrongPassword)),
            ["right"] = new(ConnectorRun.Execute + "postgres/x", Standard("select 1 as one"), fixture.Credentials(role, "pg-right-password-never-shown-77aa")),
        });

        Error(run["wrong"], "ConnectionError");
        Assert.Equal("[[1]]", Payload(run["right"])["all_results"]!.ToJsonString(Plain));
        run.AssertNowhere(WrongPassword);
        run.AssertNowhere("pg-right-password-never-shown-77aa");
    }
}
