using System.Data.Common;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors;
using EgressAgent.Infrastructure.Connectors.Sql;
using EgressAgent.Tests.Shared;
using MySqlConnector;

namespace EgressAgent.Infrastructure.Tests.Connectors.MySql;

/// <summary>
/// The mysql type's own hooks against the real MariaDB of <c>.ci/run</c>: the session it opens
/// (read-only transaction, server-side statement bound), the values it reads, the description
/// facts and how it describes the server's errors. The commands program through the shared
/// runtime is tested in the program tests beside this file.
/// </summary>
public sealed class MySqlSessionTests
{
    private readonly MySqlConnectionType _type = new();

    [MariaDbFact]
    public async Task Every_value_type_is_read_as_its_wire_value()
    {
        var table = MariaDbTestSource.UniqueName("all_types");
        await MariaDbTestSource.AdminAsync($$"""
            SET SESSION sql_mode = '';
            CREATE TABLE {{table}} (
              id INT NOT NULL PRIMARY KEY, amount DECIMAL(10,2), big DECIMAL(65,30), created DATETIME, created_fraction DATETIME(6),
              stamped TIMESTAMP NULL, day DATE, at TIME, long_time TIME, negative_time TIME, fraction_time TIME(6), payload BLOB, doc JSON,
              flags BIT(8), yr YEAR, tiny TINYINT(1), uid CHAR(36), f FLOAT, d DOUBLE, u BIGINT UNSIGNED, e ENUM('a','b'),
              txt VARCHAR(20), zero_datetime DATETIME NULL, zero_date DATE NULL, nothing INT NULL);
            INSERT INTO {{table}} VALUES (1, 10.50, 12345678901234567890123456789012345.123456789012345678901234567890,
              '2024-05-01 12:00:00', '2024-05-01 12:00:00.123456', '2024-05-01 12:00:00', '2024-05-01', '10:59:00', '25:00:00',
              '-01:30:00', '10:59:00.250000', X'00FF10', '{"a": 1}', b'10100000', 2024, 1, '3F2504E0-4F89-11D3-9A0C-0305E82C3301',
              1.5, 2.25, 18446744073709551615, 'b', 'héllo', '0000-00-00 00:00:00', '0000-00-00', NULL);
            """);
        try
        {
            var row = await ReadRowAsync(MariaDbTestSource.Request(), $"SELECT * FROM {table}");

            Assert.Equal(1, row["id"]);
            Assert.Equal("10.50", Assert.IsType<decimal>(row["amount"]).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var big = Assert.IsType<JsonObject>(row["big"]);
            Assert.Equal("decimal", (string?)big["__type__"]);
            Assert.Equal("12345678901234567890123456789012345.123456789012345678901234567890", (string?)big["__data__"]);
            var created = Assert.IsType<DateTime>(row["created"]);
            Assert.Equal(new DateTime(2024, 5, 1, 12, 0, 0), created);
            Assert.Equal(DateTimeKind.Unspecified, created.Kind);
            Assert.Equal(new DateTime(2024, 5, 1, 12, 0, 0).AddTicks(1_234_560), row["created_fraction"]);
            var stamped = Assert.IsType<DateTime>(row["stamped"]);
            Assert.Equal(new DateTime(2024, 5, 1, 12, 0, 0), stamped);
            Assert.Equal(DateTimeKind.Unspecified, stamped.Kind);
            Assert.Equal(new DateOnly(2024, 5, 1), row["day"]);
            Assert.Equal(new TimeOnly(10, 59), row["at"]);
            Assert.Equal("25:00:00", row["long_time"]);
            Assert.Equal("-01:30:00", row["negative_time"]);
            Assert.Equal(new TimeOnly(10, 59, 0, 250), row["fraction_time"]);
            Assert.Equal(new byte[] { 0x00, 0xFF, 0x10 }, row["payload"]);
            Assert.Equal("{\"a\": 1}", row["doc"]);
            Assert.Equal(160UL, row["flags"]);
            Assert.Equal(2024, row["yr"]);
            Assert.Equal(1L, Convert.ToInt64(row["tiny"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.IsNotType<bool>(row["tiny"]);
            Assert.Equal("3F2504E0-4F89-11D3-9A0C-0305E82C3301", row["uid"]);
            Assert.Equal(1.5f, row["f"]);
            Assert.Equal(2.25d, row["d"]);
            Assert.Equal(ulong.MaxValue, row["u"]);
            Assert.Equal("b", row["e"]);
            Assert.Equal("héllo", row["txt"]);
            Assert.Equal("0000-00-00 00:00:00", row["zero_datetime"]);
            Assert.Equal("0000-00-00", row["zero_date"]);
            Assert.Null(row["nothing"]);
        }
        finally
        {
            await MariaDbTestSource.AdminAsync($"DROP TABLE {table}");
        }
    }

    [MariaDbFact]
    public async Task Description_has_the_drivers_type_name_and_the_facts_it_knows()
    {
        await using var session = await OpenAsync(MariaDbTestSource.Request());
        await using var command = session.Command("SELECT CAST(10.5 AS DECIMAL(10,2)) AS amount, 1 AS one, CAST(NULL AS CHAR) AS nothing");
        await using var reader = await command.ExecuteReaderAsync();

        Assert.Equal("DECIMAL", _type.TypeCodeOf(reader, 0)?.GetValue<string>());
        var amount = _type.ColumnFactsOf(reader, 0);
        Assert.Equal(10, amount.Precision);
        Assert.Equal(2, amount.Scale);
        Assert.False(_type.ColumnFactsOf(reader, 1).NullOk);
        Assert.True(_type.ColumnFactsOf(reader, 2).NullOk);
        Assert.Null(_type.ColumnFactsOf(reader, 1).Precision);
        Assert.Equal((12, 1), (amount.InternalSize, _type.ColumnFactsOf(reader, 1).InternalSize));
    }

    [MariaDbFact]
    public async Task A_table_the_user_may_not_read_is_an_insufficient_privilege_error()
    {
        var database = MariaDbTestSource.UniqueName("private");
        await MariaDbTestSource.AdminAsync($"CREATE DATABASE {database}; CREATE TABLE {database}.secrets (x INT);");
        try
        {
            var error = await ErrorOfAsync(MariaDbTestSource.Request(), $"SELECT * FROM {database}.secrets");

            Assert.Equal(ConnectorErrorKinds.InsufficientPrivilege, error.Kind);
            Assert.Equal(1142, (int?)error.Attributes?["errno"]);
            Assert.Equal("42000", (string?)error.Attributes?["sqlstate"]);
            Assert.Equal("InsufficientPrivilege", error.ExceptionType);
            Assert.Contains("SELECT command denied", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await MariaDbTestSource.AdminAsync($"DROP DATABASE {database}");
        }
    }

    [MariaDbTheory]
    [InlineData("INSERT INTO {0} VALUES (2)")]
    [InlineData("COMMIT; INSERT INTO {0} VALUES (2)")]
    [InlineData("ROLLBACK; SET autocommit = 1; DELETE FROM {0}")]
    [InlineData("CREATE TABLE {0}_new (x INT)")]
    [InlineData("DROP TABLE {0}")]
    public async Task Writes_are_refused_by_the_server_even_for_a_user_allowed_to_write(string write)
    {
        var table = MariaDbTestSource.UniqueName("guarded");
        await MariaDbTestSource.AdminAsync($"CREATE TABLE {table} (x INT); INSERT INTO {table} VALUES (1);");
        try
        {
            // The admin may write: only the READ ONLY transaction (and the session's read-only default) stops it.
            var error = await ErrorOfAsync(MariaDbTestSource.Request(admin: true), string.Format(System.Globalization.CultureInfo.InvariantCulture, write, table));

            Assert.Equal(ConnectorErrorKinds.DatabaseError, error.Kind);
            Assert.Equal(1792, (int?)error.Attributes?["errno"]);
            Assert.Equal("25006", (string?)error.Attributes?["sqlstate"]);
            Assert.Equal(1L, await MariaDbTestSource.AdminScalarAsync($"SELECT COUNT(*) FROM {table}"));
            Assert.Equal(0L, await MariaDbTestSource.AdminScalarAsync($"SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '{table}_new'"));
        }
        finally
        {
            await MariaDbTestSource.AdminAsync($"DROP TABLE IF EXISTS {table}");
        }
    }

    [MariaDbFact]
    public async Task ReadOnly_false_lifts_the_read_only_transaction()
    {
        var table = MariaDbTestSource.UniqueName("writable");
        await MariaDbTestSource.AdminAsync($"CREATE TABLE {table} (x INT)");
        try
        {
            await using (var session = await OpenAsync(MariaDbTestSource.Request(readOnly: false, admin: true)))
            {
                Assert.Null(session.Transaction);
                await using var command = session.Command($"INSERT INTO {table} VALUES (1)");
                Assert.Equal(1, await command.ExecuteNonQueryAsync());
            }

            Assert.Equal(1L, await MariaDbTestSource.AdminScalarAsync($"SELECT COUNT(*) FROM {table}"));
        }
        finally
        {
            await MariaDbTestSource.AdminAsync($"DROP TABLE {table}");
        }
    }

    [MariaDbFact]
    public async Task The_query_timeout_stops_the_statement_on_the_server()
    {
        var marker = MariaDbTestSource.UniqueName("slow");
        var request = MariaDbTestSource.Request(change: args => args["query_timeout_in_seconds"] = 1);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = await ErrorOfAsync(request, $"SELECT SLEEP(30) AS {marker} FROM information_schema.tables LIMIT 1");

        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
        Assert.Equal(ConnectorErrorKinds.QueryCanceled, error.Kind);
        Assert.Equal(1969, (int?)error.Attributes?["errno"]); // the server's max_statement_time, before the driver's backstop
        Assert.Equal(0L, await RunningAsync(marker));
    }

    [MariaDbFact]
    public async Task A_cancelled_statement_is_killed_on_the_server()
    {
        var marker = MariaDbTestSource.UniqueName("cancelled");
        await using var session = await OpenAsync(MariaDbTestSource.Request());
        await using var command = session.Command($"SELECT SLEEP(30) AS {marker}");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await using var reader = await command.ExecuteReaderAsync(cancel.Token);
            while (await reader.ReadAsync(cancel.Token))
            {
            }
        });

        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(0L, await RunningAsync(marker));
    }

    [MariaDbFact]
    public async Task A_wrong_password_fails_to_open_without_the_password_in_any_text()
    {
        const string wrong = "Wr0ng-Pa55word-That-Is-Secret";
        var request = MariaDbTestSource.Request(change: args => args["password"] = wrong);
        await using var source = _type.CreateDataSource(request);

        var failure = await Assert.ThrowsAsync<MySqlException>(async () => await source.OpenConnectionAsync());

        Assert.Equal(1045, failure.Number);
        Assert.DoesNotContain(wrong, failure.ToString(), StringComparison.Ordinal);
        var described = _type.DescribeError(failure);
        Assert.NotNull(described);
        Assert.DoesNotContain(wrong, described.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, described.Attributes?.ToJsonString() ?? string.Empty, StringComparison.Ordinal);
    }

    [MariaDbFact]
    public async Task A_pooled_connection_comes_back_without_the_last_sessions_settings()
    {
        var request = MariaDbTestSource.Request(change: args => args["query_timeout_in_seconds"] = 5);
        await using var source = _type.CreateDataSource(request);
        await using (var first = await OpenAsync(request, source))
        {
            await using var command = first.Command("SELECT @@session.tx_read_only, @@session.max_statement_time");
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(1L, Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(5.0, Convert.ToDouble(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
        }

        await using var next = await source.OpenConnectionAsync();
        await using var check = next.CreateCommand();
        check.CommandText = "SELECT @@session.tx_read_only, @@session.max_statement_time";
        await using var after = await check.ExecuteReaderAsync();
        Assert.True(await after.ReadAsync());
        Assert.Equal(0L, Convert.ToInt64(after.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0.0, Convert.ToDouble(after.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Statements of <paramref name="marker"/> still in the server's process list.</summary>
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

            await Task.Delay(100); // a KILL QUERY takes effect within moments, not at once
        }
    }

    private async Task<Dictionary<string, object?>> ReadRowAsync(ConnectionRequest request, string sql)
    {
        await using var session = await OpenAsync(request);
        await using var command = session.Command(sql);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => _type.ReadValue(reader, i));
    }

    private async Task<SqlConnectorError> ErrorOfAsync(ConnectionRequest request, string sql)
    {
        await using var session = await OpenAsync(request);
        await using var command = session.Command(sql);
        var failure = await Assert.ThrowsAsync<MySqlException>(async () =>
        {
            await using var reader = await command.ExecuteReaderAsync();
            do
            {
                while (await reader.ReadAsync())
                {
                }
            }
            while (await reader.NextResultAsync());
        });
        var error = _type.DescribeError(failure);
        Assert.NotNull(error);
        return error;
    }

    private async Task<OpenSession> OpenAsync(ConnectionRequest request, DbDataSource? shared = null)
    {
        var source = shared ?? _type.CreateDataSource(request);
        var connection = await source.OpenConnectionAsync();
        var transaction = await _type.BeginSessionAsync(connection, request, _type.QueryTimeout(request), CancellationToken.None);
        return new OpenSession(shared is null ? source : null, connection, transaction);
    }

    /// <summary>A connection prepared by the type, as the runtime holds it for one operation.</summary>
    private sealed class OpenSession(DbDataSource? ownSource, DbConnection connection, DbTransaction? transaction) : IAsyncDisposable
    {
        public DbTransaction? Transaction => transaction;

        public DbCommand Command(string sql)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = transaction;
            return command;
        }

        public async ValueTask DisposeAsync()
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await connection.DisposeAsync();
            if (ownSource is not null)
            {
                await ownSource.DisposeAsync();
            }
        }
    }
}
