using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors;
using static EgressAgent.Infrastructure.Tests.Connectors.Sql.ConnectorCalls;

namespace EgressAgent.Infrastructure.Tests.Connectors;

/// <summary>duckdb through the shared DB-API runtime (session, cursor, parameters, errors) against a real file.</summary>
public sealed class DuckDbThroughCursorTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("duckdb-cursor-").FullName;
    private readonly JsonObject credentials;

    public DuckDbThroughCursorTests()
    {
        var file = Path.Combine(directory, "data.duckdb");
        using (var connection = new DuckDBConnection($"Data Source={file}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE orders(id INTEGER, amount DECIMAL(10,2), created_at TIMESTAMPTZ); INSERT INTO orders VALUES (1, 10.50, TIMESTAMPTZ '2024-05-01 12:00:00+00'), (2, 3.25, NULL)";
            command.ExecuteNonQuery();
        }

        credentials = new JsonObject { ["connect_args"] = new JsonObject { ["database"] = file } };
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task The_standard_program_with_question_mark_parameters()
    {
        await using var session = await OpenAsync(new DuckDbConnectionType(), credentials);
        var (rows, description, rowCount) = await QueryAsync(session, "SELECT id, amount, created_at FROM orders WHERE id > ? AND '?' = '?' ORDER BY id", new JsonArray(0));

        Assert.Equal("""[[1,{"__type__":"decimal","__data__":"10.50"},{"__type__":"datetime","__data__":"2024-05-01T12:00:00+00:00"}],[2,{"__type__":"decimal","__data__":"3.25"},null]]""", Json(rows));
        Assert.Equal("""[["id","Integer",null,null,null,null,null],["amount","Decimal",null,null,10,2,null],["created_at","TimestampTz",null,null,null,null,null]]""", Json(description));
        Assert.Equal(2, rowCount);
    }

    [Fact]
    public async Task A_write_is_refused_in_read_only_mode_as_a_DatabaseError()
    {
        await using var session = await OpenAsync(new DuckDbConnectionType(), credentials);
        var cursor = await CursorAsync(session);
        var error = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create("INSERT INTO orders VALUES (3, 1, NULL)"), null));
        Assert.Equal(ConnectorErrorKinds.DatabaseError, error.Kind);
        Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operation_timeout_interrupts_a_running_query_as_QueryCanceled()
    {
        await using var session = await OpenAsync(new DuckDbConnectionType(), credentials, operationTimeout: TimeSpan.FromMilliseconds(300));
        var cursor = await CursorAsync(session);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create("SELECT count(*) FROM range(100000000000)"), null));
        Assert.Equal(ConnectorErrorKinds.QueryCanceled, error.Kind);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }
}
