using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors;

namespace EgressAgent.Infrastructure.Tests.Connectors;

/// <summary>The <c>duckdb</c>/<c>motherduck</c> type against a real DuckDB file the fixture writes (MotherDuck: translation only, never contacted).</summary>
public sealed class DuckDbConnectionTypeTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("duckdb-type-").FullName;
    private readonly string file;
    private readonly DuckDbConnectionType type = new();

    public DuckDbConnectionTypeTests()
    {
        file = Path.Combine(directory, "data.duckdb");
        using var connection = new DuckDBConnection($"Data Source={file}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE orders(id INTEGER, amount DECIMAL(10,2)); INSERT INTO orders VALUES (1, 10.50), (2, 3.25)";
        command.ExecuteNonQuery();
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static ConnectionRequest Request(JsonNode? connectArgs, bool readOnly = true, string typeName = "duckdb") =>
        new(typeName, new JsonObject { ["connect_args"] = connectArgs }, readOnly);

    private async Task<DbConnection> OpenAsync(bool readOnly = true)
    {
        var source = type.CreateDataSource(Request(new JsonObject { ["database"] = file }, readOnly));
        return await source.OpenConnectionAsync();
    }

    [Fact]
    public void Serves_duckdb_and_motherduck_with_question_marks_and_blocking_calls()
    {
        Assert.Equal(["duckdb", "motherduck"], type.Names);
        Assert.Equal(Infrastructure.Connectors.Sql.SqlParameterStyle.QuestionMark, type.ParameterStyle);
        Assert.Equal("?", type.PositionalPlaceholder(3));
        Assert.True(type.Blocking);
    }

    [Fact]
    public void Read_only_file_is_opened_read_only_without_file_system_access_and_with_locked_configuration()
    {
        var text = DuckDbConnectionType.ConnectionStringFor(Request(new JsonObject { ["database"] = file }));
        var builder = new DbConnectionStringBuilder { ConnectionString = text };
        Assert.Equal(file, builder["DataSource"]);
        Assert.Equal("READ_ONLY", builder["access_mode"]?.ToString(), ignoreCase: true);
        Assert.Equal("False", builder["enable_external_access"]?.ToString(), ignoreCase: true);
        Assert.Equal("True", builder["lock_configuration"]?.ToString(), ignoreCase: true);
    }

    [Fact]
    public void Writable_file_when_read_only_is_lifted()
    {
        var text = DuckDbConnectionType.ConnectionStringFor(Request(new JsonObject { ["database"] = file }, readOnly: false));
        Assert.DoesNotContain("access_mode", text, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_file_that_does_not_exist_is_a_connection_error_and_is_never_created(bool readOnly)
    {
        var missing = Path.Combine(directory, "missing.duckdb");
        var error = Assert.Throws<OperationFailedException>(() => type.CreateDataSource(Request(new JsonObject { ["database"] = missing }, readOnly)));
        Assert.Equal(ConnectorErrorKinds.ConnectionError, error.Kind);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public void In_memory_is_the_default_and_is_not_opened_read_only()
    {
        var text = DuckDbConnectionType.ConnectionStringFor(Request(null));
        Assert.Contains(":memory:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("access_mode", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("enable_external_access", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MotherDuck_token_goes_into_the_database_string()
    {
        var text = DuckDbConnectionType.ConnectionStringFor(Request(new JsonObject { ["database"] = "md:sales", ["token"] = "t0k/en" }, typeName: "motherduck"));
        var builder = new DbConnectionStringBuilder { ConnectionString = text };
        Assert.Equal("md:sales?motherduck_token=t0k%2Fen", builder["DataSource"]);
        Assert.DoesNotContain("access_mode", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MotherDuck_string_form_is_used_as_it_is_and_a_bare_name_gets_the_md_prefix()
    {
        var text = DuckDbConnectionType.ConnectionStringFor(Request(JsonValue.Create("md:sales?motherduck_token=abc"), typeName: "motherduck"));
        Assert.Equal("md:sales?motherduck_token=abc", new DbConnectionStringBuilder { ConnectionString = text }["DataSource"]);

        var bare = DuckDbConnectionType.ConnectionStringFor(Request(new JsonObject { ["database"] = "sales", ["token"] = "abc" }, typeName: "motherduck"));
        Assert.Equal("md:sales?motherduck_token=abc", new DbConnectionStringBuilder { ConnectionString = bare }["DataSource"]);
    }

    [Fact]
    public void A_token_for_a_local_file_is_refused()
    {
        var error = Assert.Throws<OperationFailedException>(() => DuckDbConnectionType.ConnectionStringFor(Request(new JsonObject { ["database"] = file, ["token"] = "secret-token" })));
        Assert.Equal(ConnectorErrorKinds.CredentialsError, error.Kind);
        Assert.DoesNotContain("secret-token", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INSERT INTO orders VALUES (3, 1)", ConnectorErrorKinds.DatabaseError)]
    [InlineData("CREATE TABLE t2(a INT)", ConnectorErrorKinds.DatabaseError)]
    [InlineData("SET enable_external_access = true", ConnectorErrorKinds.DatabaseError)]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')", ConnectorErrorKinds.InsufficientPrivilege)]
    [InlineData("INSTALL httpfs", ConnectorErrorKinds.InsufficientPrivilege)]
    public async Task Writes_and_file_access_are_refused_in_read_only_mode(string sql, string kind)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var error = await Assert.ThrowsAnyAsync<DbException>(() => command.ExecuteNonQueryAsync());
        var described = type.DescribeError(error)!;
        Assert.Equal(kind, described.Kind);
        Assert.Equal(error.Message, described.Message);
        Assert.Equal("DuckDBException", described.ExceptionType);
    }

    [Fact]
    public async Task Copy_to_and_attach_write_no_file()
    {
        await using var connection = await OpenAsync();
        foreach (var sql in new[] { $"COPY orders TO '{directory}/out.csv'", $"ATTACH '{directory}/other.duckdb' AS other" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await Assert.ThrowsAnyAsync<DbException>(() => command.ExecuteNonQueryAsync());
        }

        Assert.Equal(["data.duckdb"], Directory.GetFiles(directory).Select(Path.GetFileName).Where(name => !name!.EndsWith(".wal", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Reads_work_in_read_only_mode_and_writes_when_lifted()
    {
        await using (var connection = await OpenAsync(readOnly: false))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "INSERT INTO orders VALUES (3, 1.00)";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        await using var reader = await QueryAsync("SELECT count(*) FROM orders WHERE id > ?", 0);
        Assert.True(await reader.ReadAsync());
        Assert.Equal(3L, type.ReadValue(reader, 0));
    }

    [Fact]
    public async Task Cancel_interrupts_a_running_query_which_DuckDB_NET_reports_as_OperationCanceledException()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM range(100000000000) a";
        var watch = Stopwatch.StartNew();
        var cancel = Task.Delay(300).ContinueWith(_ => command.Cancel(), TaskScheduler.Default);
        // DuckDB.NET turns DuckDB's interrupt into OperationCanceledException (not a DuckDBException), so
        // the shared runtime's cancellation path, not DescribeError, reports it.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Run(() => command.ExecuteScalar()));
        await cancel;
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Error_mapping_by_DuckDB_error_type()
    {
        Assert.Equal(ConnectorErrorKinds.QueryCanceled, DuckDbConnectionType.DescribeDuckDbError(DuckDBErrorType.Interrupt, "INTERRUPT Error: Interrupted!").Kind);
        Assert.Equal(ConnectorErrorKinds.InsufficientPrivilege, DuckDbConnectionType.DescribeDuckDbError(DuckDBErrorType.Invalid, "Permission Error: Cannot access file").Kind);
        var catalog = DuckDbConnectionType.DescribeDuckDbError(DuckDBErrorType.Catalog, "Catalog Error: Table with name nope does not exist!");
        Assert.Equal(ConnectorErrorKinds.DatabaseError, catalog.Kind);
        Assert.Equal("""{"error_type":"Catalog"}""", catalog.Attributes!.ToJsonString());
        Assert.Null(type.DescribeError(new InvalidOperationException("not ours")));
    }

    [Fact]
    public async Task Every_value_type_as_the_contract_writes_it()
    {
        const string sql = """
            SELECT 10.50::DECIMAL(10,2) d, -0.05::DECIMAL(4,2) neg,
                   12345678901234567890123456789.123456789::DECIMAL(38,9) big,
                   170141183460469231731687303715884105727::HUGEINT h, 18446744073709551615::UBIGINT ub, 42::BIGINT bi,
                   TIMESTAMP '2024-05-01 12:00:00' ts, TIMESTAMPTZ '2024-05-01 12:00:00+02' tstz, 'infinity'::TIMESTAMP tinf,
                   DATE '2024-05-01' dt, '-infinity'::DATE dinf, TIME '10:59:00' tm, TIMETZ '10:59:00.5+02' ttz,
                   INTERVAL 14 MONTH + INTERVAL 3 DAY + INTERVAL 2 HOUR + INTERVAL '1.5 seconds' iv, INTERVAL 0 SECOND iv0,
                   'a3bb189e-8bf9-3888-9912-ace4e6543002'::UUID u, '\xAA\xBB'::BLOB b,
                   [1, 2, NULL] l, [[1], [], [NULL, 2]] ll, ['a', NULL] ls, {'x': 1, 'y': 'z', 'd': DATE '2024-01-02'} s, MAP {'k': 1.5::DECIMAL(3,1)} m, [1, 2]::INT[2] arr,
                   'nan'::DOUBLE n, 'inf'::DOUBLE inf, 1.5::FLOAT f, true bo, 'txt' v, NULL::INT nu, 'a'::ENUM('a','b') en
            """;
        await using var reader = await QueryAsync(sql);
        Assert.True(await reader.ReadAsync());
        var row = new JsonObject();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            row[reader.GetName(i)] = WireValues.ToJson(type.ReadValue(reader, i));
        }

        var expected = JsonNode.Parse("""
            {"d":{"__type__":"decimal","__data__":"10.50"},"neg":{"__type__":"decimal","__data__":"-0.05"},
             "big":{"__type__":"decimal","__data__":"12345678901234567890123456789.123456789"},
             "h":170141183460469231731687303715884105727,"ub":18446744073709551615,"bi":42,
             "ts":{"__type__":"datetime","__data__":"2024-05-01T12:00:00"},
             "tstz":{"__type__":"datetime","__data__":"2024-05-01T10:00:00+00:00"},"tinf":"infinity",
             "dt":{"__type__":"date","__data__":"2024-05-01"},"dinf":"-infinity",
             "tm":{"__type__":"time","__data__":"10:59:00"},"ttz":{"__type__":"time","__data__":"10:59:00.500000+02:00"},
             "iv":"P14M3DT2H1.5S","iv0":"PT0S",
             "u":"a3bb189e-8bf9-3888-9912-ace4e6543002","b":{"__type__":"bytes","__data__":"qrs="},
             "l":[1,2,null],"ll":[[1],[],[null,2]],"ls":["a",null],"s":{"x":1,"y":"z","d":{"__type__":"date","__data__":"2024-01-02"}},
             "m":{"k":{"__type__":"decimal","__data__":"1.5"}},"arr":[1,2],
             "n":"NaN","inf":"Infinity","f":1.5,"bo":true,"v":"txt","nu":null,"en":"a"}
            """)!;
        foreach (var (name, value) in expected.AsObject())
        {
            Assert.True(JsonNode.DeepEquals(value, row[name]), $"{name}: expected {value?.ToJsonString()}, got {row[name]?.ToJsonString()}");
        }

        Assert.Equal(expected.AsObject().Count, row.Count);
    }

    [Fact]
    public async Task Description_has_the_driver_type_name_and_decimal_precision_and_scale()
    {
        await using var reader = await QueryAsync("SELECT id, amount FROM orders");
        Assert.Equal("Integer", type.TypeCodeOf(reader, 0)!.GetValue<string>());
        Assert.Equal("Decimal", type.TypeCodeOf(reader, 1)!.GetValue<string>());
        Assert.Equal(new Infrastructure.Connectors.Sql.SqlColumnFacts(null, null, 10, 2, null), type.ColumnFactsOf(reader, 1));
        Assert.Equal(Infrastructure.Connectors.Sql.SqlColumnFacts.Unknown, type.ColumnFactsOf(reader, 0));
    }

    private async Task<DbDataReader> QueryAsync(string sql, params object[] parameters)
    {
        var connection = await OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var value in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(value));
        }

        return await command.ExecuteReaderAsync(System.Data.CommandBehavior.CloseConnection);
    }

    [Fact]
    public void Json_round_trip_keeps_a_huge_integer_exact()
    {
        using var document = JsonDocument.Parse(WireValues.ToJson(new JsonArray(JsonNode.Parse("170141183460469231731687303715884105727")))!.ToJsonString());
        Assert.Equal("170141183460469231731687303715884105727", document.RootElement[0].GetRawText());
    }
}
