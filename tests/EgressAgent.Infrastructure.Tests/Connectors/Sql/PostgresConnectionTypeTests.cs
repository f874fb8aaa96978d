using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors;
using EgressAgent.Tests.Shared;
using Npgsql;
using static EgressAgent.Infrastructure.Tests.Connectors.Sql.ConnectorCalls;

namespace EgressAgent.Infrastructure.Tests.Connectors.Sql;

/// <summary>
/// The <c>postgres</c> connection type against a real server (<c>EGRESS_TEST_POSTGRES</c>, an
/// ordinary role; fixtures through <c>EGRESS_TEST_POSTGRES_ADMIN</c>), through the cursor's
/// methods exactly as a commands program calls them (docs/protocol.md §12.2–§12.4).
/// </summary>
public sealed class PostgresConnectionTypeTests : IAsyncLifetime
{
    private readonly string _schema = $"egress_conn_{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        if (!PostgresFactAttribute.Available)
        {
            return;
        }

        await AdminAsync($"""
            create schema {_schema};
            create table {_schema}.orders (id int4 primary key, amount numeric(10,2), created_at timestamptz);
            insert into {_schema}.orders values (1, 10.50, '2024-05-01 12:00:00+00'), (0, 1, '2024-01-01 00:00:00+00');
            create table {_schema}.secret (id int);
            grant usage on schema {_schema} to "{ReaderRole}";
            grant select, insert, update, delete on {_schema}.orders to "{ReaderRole}";
            """);
    }

    public async Task DisposeAsync()
    {
        if (PostgresFactAttribute.Available)
        {
            await AdminAsync($"drop schema if exists {_schema} cascade");
        }
    }

    private static string ReaderRole => new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString).Username!;

    private static JsonObject CredentialsOf(string connectionString, string? password = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var args = new JsonObject
        {
            ["host"] = builder.Host,
            ["port"] = builder.Port,
            ["dbname"] = builder.Database,
            ["user"] = builder.Username,
            ["sslmode"] = "disable",
        };
        if (password is not null)
        {
            args["password"] = password;
        }

        return new JsonObject { ["connect_args"] = args };
    }

    private static JsonObject Reader => CredentialsOf(PostgresFactAttribute.ConnectionString!);

    [PostgresFact]
    public async Task The_standard_program_returns_the_contract_example()
    {
        await using var session = await OpenAsync(new PostgresConnectionType(), Reader);

        var (rows, description, rowCount) = await QueryAsync(session, $"SELECT id, amount, created_at FROM {_schema}.orders WHERE id > %s", new JsonArray(0));

        Assert.Equal("""[[1,{"__type__":"decimal","__data__":"10.50"},{"__type__":"datetime","__data__":"2024-05-01T12:00:00+00:00"}]]""", Json(rows));
        Assert.Equal("""[["id",23,null,4,null,null,null],["amount",1700,null,-1,10,2,null],["created_at",1184,null,8,null,null,null]]""", Json(description));
        Assert.Equal(1, rowCount);
    }

    [PostgresFact]
    public async Task Values_come_back_tagged_or_as_strings()
    {
        await using var session = await OpenAsync(new PostgresConnectionType(), Reader);

        var (rows, _, _) = await QueryAsync(session, """
            select '2024-05-01 12:00:00'::timestamp, '2024-05-01 12:00:00.123+02'::timestamptz, '2024-05-01 12:00:00.5'::timestamp,
                   '2024-05-01'::date, '10:59:00'::time, '10:59:00.25'::time,
                   10.50::numeric, 1234567890123456789012345678901234567890.5::numeric, 'NaN'::numeric, 'NaN'::float8, '-Infinity'::float8,
                   '\x0102ff'::bytea, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, '1 day 02:03:04'::interval, '192.168.0.1/24'::inet,
                   '{"a": [1, 2]}'::jsonb, array[1, 2], null::int
            """);

        Assert.Equal(
            """[[{"__type__":"datetime","__data__":"2024-05-01T12:00:00"},{"__type__":"datetime","__data__":"2024-05-01T10:00:00.123000+00:00"},{"__type__":"datetime","__data__":"2024-05-01T12:00:00.500000"},"""
            + """{"__type__":"date","__data__":"2024-05-01"},{"__type__":"time","__data__":"10:59:00"},{"__type__":"time","__data__":"10:59:00.250000"},"""
            + """{"__type__":"decimal","__data__":"10.50"},{"__type__":"decimal","__data__":"1234567890123456789012345678901234567890.5"},"NaN","NaN","-Infinity","""
            + """{"__type__":"bytes","__data__":"AQL/"},"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","1.02:03:04","192.168.0.1/24",{"a":[1,2]},[1,2],null]]""",
            Json(rows));
    }

    [PostgresFact]
    public async Task Tagged_parameters_bind_as_their_types()
    {
        await using var session = await OpenAsync(new PostgresConnectionType(), Reader);
        static JsonObject Tag(string type, string data) => new() { ["__type__"] = type, ["__data__"] = data };

        var (rows, _, _) = await QueryAsync(
            session,
            "select %s::timestamptz, %s::timestamp, %s::date, %s::time, %s::numeric, %s::bytea, %s::text, %s::int8, %s::float8, %s::boolean, %s::text is null, %s = 'x'",
            new JsonArray(
                Tag("datetime", "2024-05-01T12:00:00+02:00"), Tag("datetime", "2024-05-01T12:00:00.123"), Tag("date", "2024-05-01"), Tag("time", "10:59:00"),
                Tag("decimal", "10.50"), Tag("bytes", "AQL/"), "text", 42, 1.5, true, null, "x"));

        Assert.Equal(
            """[[{"__type__":"datetime","__data__":"2024-05-01T10:00:00+00:00"},{"__type__":"datetime","__data__":"2024-05-01T12:00:00.123000"},{"__type__":"date","__data__":"2024-05-01"},{"__type__":"time","__data__":"10:59:00"},"""
            + """{"__type__":"decimal","__data__":"10.50"},{"__type__":"bytes","__data__":"AQL/"},"text",42,1.5,true,true,true]]""",
            Json(rows));
    }

    [PostgresFact]
    public async Task Named_parameters_and_a_literal_percent()
    {
        await using var session = await OpenAsync(new PostgresConnectionType(), Reader);

        var (rows, _, _) = await QueryAsync(session, "select %(a)s::int + %(b)s::int, '100%%', %(a)s::int", new JsonObject { ["a"] = 1, ["b"] = 2, ["unused"] = 3 });
        var (plain, _, _) = await QueryAsync(session, "select '100%%'");

        Assert.Equal("""[[3,"100%",1]]""", Json(rows));
        Assert.Equal("""[["100%%"]]""", Json(plain));
    }

    [PostgresFact]
    public async Task Fetchone_fetchmany_and_fetchall_share_one_position()
    {
        await using var session = await OpenAsync(new PostgresConnectionType(), Reader);
        var cursor = await CursorAsync(session);
        await CallAsync(cursor, "execute", JsonValue.Create("select g from generate_series(1, 5) g"), null);

        Assert.Equal("[1]", Json((JsonNode?)await CallAsync(cursor, "fetchone")));
        Assert.Equal("[[2],[3]]", Json((JsonNode?)await CallAsync(cursor, "fetchmany", JsonValue.Create(2))));
        Assert.Equal("[[4],[5]]", Json((JsonNode?)await CallAsync(cursor, "fetchall")));
        Assert.Equal("[]", Json((JsonNode?)await CallAsync(cursor, "fetchall")));
        Assert.Equal(5, ((JsonNode)(await CallAsync(cursor, "rowcount"))!).GetValue<long>());
    }

    [PostgresFact]
    public async Task Rows_past_the_spill_threshold_come_back_whole_and_in_order()
    {
        await using var session = await OpenAsync(new PostgresConnectionType(), Reader);
        var cursor = await CursorAsync(session);
        await CallAsync(cursor, "execute", JsonValue.Create("select g, repeat('x', 100) from generate_series(1, 100000) g"), null);

        Assert.Equal(1, ((JsonNode)(await CallAsync(cursor, "fetchone"))!)[0]!.GetValue<int>());
        var rest = Parsed((JsonNode)(await CallAsync(cursor, "fetchall"))!).AsArray();

        Assert.Equal(99999, rest.Count);
        Assert.Equal(2, rest[0]![0]!.GetValue<int>());
        Assert.Equal(100000, rest[^1]![0]!.GetValue<int>());
        Assert.Equal(100000, ((JsonNode)(await CallAsync(cursor, "rowcount"))!).GetValue<long>());
    }

    [PostgresFact]
    public async Task A_table_the_role_cannot_read_is_InsufficientPrivilege()
    {
        await using var session = await OpenAsync(new PostgresConnectionType(), Reader);
        var cursor = await CursorAsync(session);

        var error = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create($"select * from {_schema}.secret"), null));

        Assert.Equal(ConnectorErrorKinds.InsufficientPrivilege, error.Kind);
        Assert.Equal("42501", error.Attributes!["sqlstate"]!.GetValue<string>());
        Assert.Equal($"InsufficientPrivilege: {error.Message}", error.ExceptionText);
    }

    [PostgresFact]
    public async Task Writes_are_refused_by_the_read_only_transaction_even_after_a_commit()
    {
        await using (var session = await OpenAsync(new PostgresConnectionType(), Reader))
        {
            var cursor = await CursorAsync(session);
            var write = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create($"delete from {_schema}.orders"), null));
            Assert.Equal("25006", write.Attributes!["sqlstate"]!.GetValue<string>());
        }

        await using (var session = await OpenAsync(new PostgresConnectionType(), Reader))
        {
            var cursor = await CursorAsync(session);
            var escape = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create($"commit; delete from {_schema}.orders"), null));
            Assert.Equal(ConnectorErrorKinds.DatabaseError, escape.Kind);
        }

        Assert.Equal(2L, await AdminScalarAsync($"select count(*) from {_schema}.orders"));
    }

    [PostgresFact]
    public async Task Not_read_only_lets_the_role_write()
    {
        await using var session = await OpenAsync(new PostgresConnectionType(), Reader, readOnly: false);
        var cursor = await CursorAsync(session);

        await CallAsync(cursor, "execute", JsonValue.Create($"delete from {_schema}.orders where id = %s"), new JsonArray(0));

        Assert.Equal(1, ((JsonNode)(await CallAsync(cursor, "rowcount"))!).GetValue<long>());
        Assert.Null(await CallAsync(cursor, "description"));
    }

    [PostgresFact]
    public async Task The_operation_timeout_is_QueryCanceled_and_the_statement_is_gone_from_the_server()
    {
        var marker = $"timeout_{Guid.NewGuid():N}";
        await using var session = await OpenAsync(new PostgresConnectionType(), Reader, operationTimeout: TimeSpan.FromSeconds(1));
        var cursor = await CursorAsync(session);

        var error = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create($"select pg_sleep(30) /* {marker} */"), null));

        Assert.Equal(ConnectorErrorKinds.QueryCanceled, error.Kind);
        Assert.Equal("57014", error.Attributes!["sqlstate"]!.GetValue<string>());
        Assert.Equal(0L, await AdminScalarAsync($"select count(*) from pg_stat_activity where state = 'active' and query like '%{marker}%' and pid <> pg_backend_pid()"));
    }

    [PostgresFact]
    public async Task A_cancelled_token_cancels_the_statement_on_the_server()
    {
        var marker = $"cancel_{Guid.NewGuid():N}";
        await using var session = await OpenAsync(new PostgresConnectionType(), Reader);
        var cursor = await CursorAsync(session);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cursor.InvokeAsync(
            "execute", new ProgramArguments([JsonValue.Create($"select pg_sleep(30) /* {marker} */"), null], new Dictionary<string, object?>()), cancel.Token));

        Assert.Equal(0L, await AdminScalarAsync($"select count(*) from pg_stat_activity where state = 'active' and query like '%{marker}%' and pid <> pg_backend_pid()"));
    }

    [PostgresFact]
    public async Task A_wrong_password_is_a_ConnectionError_that_never_shows_the_password()
    {
        const string Password = "Sup3r-Secret-Pw";
        const string Wrong = "Wr0ng-Secret-Pw";
        await AdminAsync($"drop role if exists egress_password_reader; create role egress_password_reader login password '{Password}' in role egress_password_login");
        var credentials = CredentialsOf(PostgresFactAttribute.ConnectionString!, Wrong);
        credentials["connect_args"]!["user"] = "egress_password_reader";

        var error = await FailsAsync(() => OpenAsync(new PostgresConnectionType(), credentials));

        Assert.Equal(ConnectorErrorKinds.ConnectionError, error.Kind);
        Assert.Contains("password authentication failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, error.Message + error.ExceptionText + error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message + error.ExceptionText + error, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_superuser_is_refused_before_any_statement()
    {
        var error = await FailsAsync(() => OpenAsync(new PostgresConnectionType(), CredentialsOf(PostgresFactAttribute.AdminConnectionString!)));

        Assert.Equal("PrivilegedRole", error.Kind);
        Assert.Contains("superuser", error.Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_member_of_pg_signal_backend_is_refused_even_when_read_only_is_lifted()
    {
        var role = $"egress_signal_{Guid.NewGuid():N}"[..30];
        var password = $"pw-{Guid.NewGuid():N}";
        await AdminAsync($"create role {role} login password '{password}'; grant pg_signal_backend to {role}");
        try
        {
            var credentials = CredentialsOf(PostgresFactAttribute.ConnectionString!, password);
            credentials["connect_args"]!["user"] = role;

            var error = await FailsAsync(() => OpenAsync(new PostgresConnectionType(), credentials, readOnly: false));

            Assert.Equal("PrivilegedRole", error.Kind);
            Assert.Contains($"Role \"{role}\" is a member of pg_signal_backend", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await AdminAsync($"drop role {role}");
        }
    }

    [PostgresFact]
    public async Task A_role_granted_pg_read_file_is_refused_while_read_only_and_not_once_read_only_is_lifted()
    {
        var role = $"egress_readfile_{Guid.NewGuid():N}"[..30];
        var password = $"pw-{Guid.NewGuid():N}";
        await AdminAsync($"create role {role} login password '{password}'; grant execute on function pg_read_binary_file(text) to {role}");
        try
        {
            var credentials = CredentialsOf(PostgresFactAttribute.ConnectionString!, password);
            credentials["connect_args"]!["user"] = role;

            var error = await FailsAsync(() => OpenAsync(new PostgresConnectionType(), credentials));
            JsonNode rows;
            await using (var writable = await OpenAsync(new PostgresConnectionType(), credentials, readOnly: false))
            {
                (rows, _, _) = await QueryAsync(writable, "select current_user::text");
            }

            Assert.Equal("PrivilegedRole", error.Kind);
            Assert.Contains($"Role \"{role}\" may execute pg_catalog.pg_read_binary_file", error.Message, StringComparison.Ordinal);
            Assert.Equal($"[[\"{role}\"]]", Json(rows));
        }
        finally
        {
            await AdminAsync($"revoke execute on function pg_read_binary_file(text) from {role}; drop role {role}");
        }
    }

    [PostgresFact]
    public async Task Rows_survive_the_session_that_read_them()
    {
        JsonNode rows;
        await using (var session = await OpenAsync(new PostgresConnectionType(), Reader))
        {
            (rows, _, _) = await QueryAsync(session, "select g from generate_series(1, 3) g");
        }

        Assert.Equal("[[1],[2],[3]]", Json(rows));
    }

    [PostgresFact]
    public async Task Redshift_bounds_each_statement_by_query_timeout_in_seconds()
    {
        var credentials = Reader;
        credentials["connect_args"]!["query_timeout_in_seconds"] = 1;
        await using var session = await OpenAsync(new RedshiftConnectionType(), credentials);

        var (rows, description, _) = await QueryAsync(session, "select %s::int, '2024-05-01'::date", new JsonArray(7));
        var cursor = await CursorAsync(session);
        var error = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create("select pg_sleep(10)"), null));

        Assert.Equal("""[[7,{"__type__":"date","__data__":"2024-05-01"}]]""", Json(rows));
        Assert.Equal("23", description![0]![1]!.ToJsonString());
        Assert.Equal(ConnectorErrorKinds.QueryCanceled, error.Kind);
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresFactAttribute.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> AdminScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresFactAttribute.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
