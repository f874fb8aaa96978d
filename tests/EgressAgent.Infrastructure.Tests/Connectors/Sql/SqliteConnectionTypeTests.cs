using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Connectors;
using Microsoft.Data.Sqlite;
using static EgressAgent.Infrastructure.Tests.Connectors.Sql.ConnectorCalls;

namespace EgressAgent.Infrastructure.Tests.Connectors.Sql;

/// <summary>The <c>sqlite</c> connection type against a real file, through the cursor's methods.</summary>
public sealed class SqliteConnectionTypeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"egress-conn-sqlite-{Guid.NewGuid():N}");
    private readonly string _path;

    public SqliteConnectionTypeTests()
    {
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, "test.db");
        using var connection = new SqliteConnection($"Data Source={_path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            create table orders (id integer primary key, amount DECIMAL(10,2), created_at DATETIME, day DATE, note text, blob BLOB);
            insert into orders values (1, 10.50, '2024-05-01 12:00:00', '2024-05-01', '50% off', x'0102ff'),
                                      (2, 3, '2024-05-02T08:30:00.123Z', '2024-05-02', null, null),
                                      (3, 7.25, null, null, 'big', zeroblob(300000));
            """;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private JsonObject Credentials => new() { ["connect_args"] = new JsonObject { ["database"] = _path } };

    [Fact]
    public async Task The_standard_program_returns_rows_description_and_rowcount()
    {
        await using var session = await OpenAsync(new SqliteConnectionType(), Credentials);

        var (rows, description, rowCount) = await QueryAsync(session, "select id, amount, created_at, day from orders where id > ? order by id", new JsonArray(1));

        Assert.Equal(
            """[[2,{"__type__":"decimal","__data__":"3"},{"__type__":"datetime","__data__":"2024-05-02T08:30:00.123000+00:00"},{"__type__":"date","__data__":"2024-05-02"}],[3,{"__type__":"decimal","__data__":"7.25"},null,null]]""",
            Json(rows));
        Assert.Equal("""[["id","INTEGER",null,null,null,null,null],["amount","DECIMAL",null,null,null,null,null],["created_at","DATETIME",null,null,null,null,null],["day","DATE",null,null,null,null,null]]""", Json(description));
        Assert.Equal(2, rowCount);
    }

    [Fact]
    public async Task Question_marks_inside_literals_pass_through_and_named_parameters_bind()
    {
        await using var session = await OpenAsync(new SqliteConnectionType(), Credentials);

        var (rows, _, _) = await QueryAsync(session, "select '?', note from orders where id = ?", new JsonArray(1));
        var (named, _, _) = await QueryAsync(session, "select id from orders where id = :id", new JsonObject { ["id"] = 2 });

        Assert.Equal("""[["?","50% off"]]""", Json(rows));
        Assert.Equal("[[2]]", Json(named));
    }

    [Fact]
    public async Task Fetchone_fetchmany_and_fetchall_share_one_position()
    {
        await using var session = await OpenAsync(new SqliteConnectionType(), Credentials);
        var cursor = await CursorAsync(session);
        await CallAsync(cursor, "execute", JsonValue.Create("select id from orders order by id"), null);

        Assert.Equal("[1]", Json((JsonNode?)await CallAsync(cursor, "fetchone")));
        Assert.Equal("[[2]]", Json((JsonNode?)await CallAsync(cursor, "fetchmany", JsonValue.Create(1))));
        Assert.Equal("[[3]]", Json((JsonNode?)await CallAsync(cursor, "fetchall")));
        Assert.Equal("[]", Json((JsonNode?)await CallAsync(cursor, "fetchall")));
        Assert.Null(await CallAsync(cursor, "fetchone"));
        Assert.Equal("[]", Json((JsonNode?)await CallAsync(cursor, "fetchmany", JsonValue.Create(5))));
        Assert.Equal(3, ((JsonNode)(await CallAsync(cursor, "rowcount"))!).GetValue<long>());
    }

    [Fact]
    public async Task Fetchmany_over_the_rows_in_memory_cap_is_ResourceExhausted_and_fetchall_streams_the_same_rows()
    {
        // 20 rows of 1 MiB: 20 MiB of row JSON, over the 16 MiB fetchmany may turn into nodes (docs/adr/0043).
        await using var session = await OpenAsync(new SqliteConnectionType(), Credentials);
        var cursor = await CursorAsync(session);
        const string Sql = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 20) select i, printf('%.*c', 1048576, 'x') from n";
        await CallAsync(cursor, "execute", JsonValue.Create(Sql), null);

        var refused = await Assert.ThrowsAsync<OperationFailedException>(() => CallAsync(cursor, "fetchmany", JsonValue.Create(100)));

        Assert.Equal(ErrorKinds.ResourceExhausted, refused.Kind);
        Assert.StartsWith("Resource exhausted: fetchmany would hold more than 16777216 bytes of rows in memory", refused.Message, StringComparison.Ordinal);
        await CallAsync(cursor, "execute", JsonValue.Create(Sql), null);
        var all = (JsonNode?)await CallAsync(cursor, "fetchall");
        Assert.Equal(20, JsonNode.Parse(Json(all))!.AsArray().Count);
    }

    [Fact]
    public async Task Before_execute_description_is_null_rowcount_minus_one_and_fetch_an_error()
    {
        await using var session = await OpenAsync(new SqliteConnectionType(), Credentials);
        var cursor = await CursorAsync(session);

        Assert.Null(await CallAsync(cursor, "description"));
        Assert.Equal(-1, ((JsonNode)(await CallAsync(cursor, "rowcount"))!).GetValue<long>());
        var error = await FailsAsync(() => CallAsync(cursor, "fetchall"));
        Assert.Equal("ProgrammingError: no results to fetch", error.ExceptionText);
    }

    [Fact]
    public async Task Other_method_names_are_not_found()
    {
        await using var session = await OpenAsync(new SqliteConnectionType(), Credentials);
        var cursor = await CursorAsync(session);

        Assert.Equal("Failed to resolve method executemany", (await Assert.ThrowsAsync<ProgramMethodNotFoundException>(() => CallAsync(cursor, "executemany"))).Message);
        await Assert.ThrowsAsync<ProgramMethodNotFoundException>(() => CallAsync(session, "commit"));
    }

    [Theory]
    [InlineData("insert into orders (id) values (9)")]
    [InlineData("attach database ':memory:' as other")]
    [InlineData("pragma journal_mode = wal")]
    [InlineData("create temp table t (x)")]
    public async Task Writes_and_attach_are_refused(string sql)
    {
        await using var session = await OpenAsync(new SqliteConnectionType(), Credentials);
        var cursor = await CursorAsync(session);

        var error = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create(sql), null));

        Assert.Equal(ConnectorErrorKinds.DatabaseError, error.Kind);
        Assert.StartsWith("DatabaseError: ", error.ExceptionText, StringComparison.Ordinal);
        Assert.NotNull(error.Attributes!["errno"]);
        using var check = new SqliteConnection($"Data Source={_path};Mode=ReadOnly;Pooling=false");
        check.Open();
        using var count = check.CreateCommand();
        count.CommandText = "select count(*) from orders";
        Assert.Equal(3L, count.ExecuteScalar());
    }

    [Fact]
    public async Task A_missing_file_is_a_connection_error_and_is_not_created()
    {
        var missing = Path.Combine(_directory, "missing.db");
        var credentials = new JsonObject { ["connect_args"] = new JsonObject { ["database"] = missing } };

        var error = await FailsAsync(() => OpenAsync(new SqliteConnectionType(), credentials));

        Assert.Equal(ConnectorErrorKinds.ConnectionError, error.Kind);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task Bytes_and_a_large_value_come_back_as_base64()
    {
        await using var session = await OpenAsync(new SqliteConnectionType(), Credentials);

        var (result, _, _) = await QueryAsync(session, "select blob from orders order by id");
        var rows = Parsed(result);

        Assert.Equal("AQL/", rows[0]![0]!["__data__"]!.GetValue<string>());
        Assert.Equal(300000, Convert.FromBase64String(rows[2]![0]!["__data__"]!.GetValue<string>()).Length);
    }

    [Fact]
    public async Task A_cancelled_token_interrupts_a_running_statement()
    {
        await using var session = await OpenAsync(new SqliteConnectionType(), Credentials);
        var cursor = await CursorAsync(session);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cursor.InvokeAsync(
            "execute",
            new ProgramArguments([JsonValue.Create("with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"), null], new Dictionary<string, object?>()),
            cancel.Token));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task The_operation_timeout_cancels_a_statement_as_QueryCanceled()
    {
        await using var session = await OpenAsync(new SqliteConnectionType(), Credentials, operationTimeout: TimeSpan.FromMilliseconds(200));
        var cursor = await CursorAsync(session);

        var error = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create("with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"), null));

        Assert.Equal(ConnectorErrorKinds.QueryCanceled, error.Kind);
    }
}
