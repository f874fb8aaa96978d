using System.Text.Json.Nodes;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>Rows come back from a real SQLite file: columns with types, values with the §5.3 conventions, the limit.</summary>
public sealed class SqliteQueryTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();
    private readonly SqlRun _sql;

    public SqliteQueryTests() => _sql = new SqlRun(("main", "sqlite", _database.ConnectionString));

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task A_query_with_parameters_returns_its_columns_rows_and_row_count()
    {
        var result = await _sql.RunAsync(SqlRun.Query("main", "select id, name from crew where id >= @min and active = @active order by id", new JsonObject { ["min"] = 1, ["active"] = true }));

        var payload = SqlRun.Payload(result);
        Assert.Equal("""[{"name":"id","type":"INTEGER"},{"name":"name","type":"TEXT"}]""", payload["columns"]!.ToJsonString());
        Assert.Equal("""[[1,"Ada"],[3,"O\u0027Brien"]]""", payload["rows"]!.ToJsonString());
        Assert.Equal(2, payload["row_count"]!.GetValue<int>());
        Assert.False(payload["truncated"]!.GetValue<bool>());
        Assert.Equal("t-sql", result["__mcd_trace_id__"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_parameter_value_is_bound_as_data_and_never_becomes_part_of_the_query()
    {
        var injection = await _sql.RunAsync(SqlRun.Query("main", "select count(*) from crew where name = @name", new JsonObject { ["name"] = "x' or '1'='1" }));
        var quoted = await _sql.RunAsync(SqlRun.Query("main", "select id from crew where name = :name", new JsonObject { ["@name"] = "O'Brien" }));

        Assert.Equal("[[0]]", SqlRun.Payload(injection)["rows"]!.ToJsonString());
        Assert.Equal("[[3]]", SqlRun.Payload(quoted)["rows"]!.ToJsonString());
    }

    [Fact]
    public async Task Tagged_parameters_bind_as_the_values_they_stand_for()
    {
        var result = await _sql.RunAsync(SqlRun.Query("main", "select id from crew where joined > @since and badge = @badge", new JsonObject
        {
            ["since"] = new JsonObject { ["__type__"] = "date", ["__data__"] = "2020-01-01" },
            ["badge"] = new JsonObject { ["__type__"] = "bytes", ["__data__"] = Convert.ToBase64String([1, 2, 255]) },
        }));

        Assert.Equal("[[1]]", SqlRun.Payload(result)["rows"]!.ToJsonString());
    }

    [Fact]
    public async Task Declared_types_give_values_their_tags_date_decimal_datetime_bytes_boolean_and_null()
    {
        var result = await _sql.RunAsync(SqlRun.Query("main", "select joined, salary, last_seen, badge, active from crew order by id"));

        var rows = SqlRun.Payload(result)["rows"]!.AsArray();
        Assert.Equal(
            """[{"__type__":"date","__data__":"2021-03-04"},{"__type__":"decimal","__data__":"1234.5"},{"__type__":"datetime","__data__":"2024-01-05T10:00:00"},{"__type__":"bytes","__data__":"AQL/"},true]""",
            rows[0]!.ToJsonString());
        Assert.Equal("""[{"__type__":"date","__data__":"2019-11-30"},{"__type__":"decimal","__data__":"2000"},null,null,false]""", rows[1]!.ToJsonString());
        Assert.Equal("""{"__type__":"datetime","__data__":"2024-02-29T23:59:59\u002B00:00"}""", rows[2]![2]!.ToJsonString());
    }

    [Fact]
    public async Task A_thousand_row_query_with_limit_ten_returns_ten_rows_marked_truncated()
    {
        var result = await _sql.RunAsync(SqlRun.Query("main", "select n from numbers order by n", limit: 10));

        var payload = SqlRun.Payload(result);
        Assert.Equal(Enumerable.Range(1, 10), payload["rows"]!.AsArray().Select(r => r![0]!.GetValue<int>()));
        Assert.Equal(10, payload["row_count"]!.GetValue<int>());
        Assert.True(payload["truncated"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData(1000, 1000, false)]
    [InlineData(999, 999, true)]
    [InlineData(0, 0, true)]
    public async Task Truncated_is_true_only_when_rows_were_left_out(int limit, int expectedRows, bool expectedTruncated)
    {
        var result = await _sql.RunAsync(SqlRun.Query("main", "select n from numbers", limit: limit));

        var payload = SqlRun.Payload(result);
        Assert.Equal(expectedRows, payload["rows"]!.AsArray().Count);
        Assert.Equal(expectedRows, payload["row_count"]!.GetValue<int>());
        Assert.Equal(expectedTruncated, payload["truncated"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Without_a_limit_at_most_a_thousand_rows_come_back()
    {
        _database.Execute("insert into numbers values (1001)");

        var payload = SqlRun.Payload(await _sql.RunAsync(SqlRun.Query("main", "select n from numbers")));

        Assert.Equal(1000, payload["row_count"]!.GetValue<int>());
        Assert.True(payload["truncated"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_query_returning_no_rows_still_names_its_columns()
    {
        var payload = SqlRun.Payload(await _sql.RunAsync(SqlRun.Query("main", "select id, name from crew where 0")));

        Assert.Equal(2, payload["columns"]!.AsArray().Count);
        Assert.Equal("[]", payload["rows"]!.ToJsonString());
        Assert.Equal(0, payload["row_count"]!.GetValue<int>());
        Assert.False(payload["truncated"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_syntax_error_carries_the_database_error_class_and_message()
    {
        var (kind, message) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("main", "selec nothing")));

        Assert.Equal("SqliteException:SQLITE_ERROR", kind);
        Assert.Contains("syntax error", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_parameter_the_query_uses_but_the_operation_lacks_is_an_error_result()
    {
        var (kind, _) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("main", "select * from crew where id = @id")));

        Assert.Equal("InvalidOperationException", kind);
    }
}
