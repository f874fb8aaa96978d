using System.Text.Json.Nodes;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>Queries against a real PostgreSQL server (skipped without one): parameters, types, limit.</summary>
public sealed class PostgresQueryTests : PostgresSchemaTests
{
    [PostgresFact]
    public async Task A_query_with_parameters_returns_its_columns_and_rows()
    {
        var result = await Sql.RunAsync(SqlRun.Query("pg", "select id, name from crew where id = @id or name = @name order by id", new JsonObject { ["id"] = 1, ["name"] = "Grace" }));

        var payload = SqlRun.Payload(result);
        Assert.Equal("""[{"name":"id","type":"integer"},{"name":"name","type":"text"}]""", payload["columns"]!.ToJsonString());
        Assert.Equal("""[[1,"Ada"],[2,"Grace"]]""", payload["rows"]!.ToJsonString());
        Assert.Equal(2, payload["row_count"]!.GetValue<int>());
    }

    [PostgresFact]
    public async Task Numeric_timestamp_date_and_bytea_come_back_with_their_tags()
    {
        var result = await Sql.RunAsync(SqlRun.Query("pg", "select salary, seen, seen_tz, joined, badge, tags from crew order by id"));

        var rows = SqlRun.Payload(result)["rows"]!.AsArray();
        Assert.Equal(
            """[{"__type__":"decimal","__data__":"1234.50"},{"__type__":"datetime","__data__":"2024-01-05T10:00:00"},{"__type__":"datetime","__data__":"2024-01-05T08:00:00\u002B00:00"},{"__type__":"date","__data__":"2021-03-04"},{"__type__":"bytes","__data__":"AQL/"},["a","b"]]""",
            rows[0]!.ToJsonString());
        Assert.Equal("[null,null,null,null,null,null]", rows[1]!.ToJsonString());
    }

    [PostgresFact]
    public async Task Tagged_parameters_bind_with_their_types()
    {
        var result = await Sql.RunAsync(SqlRun.Query("pg", "select id from crew where salary = @salary and joined = @joined and seen_tz = @at", new JsonObject
        {
            ["salary"] = new JsonObject { ["__type__"] = "decimal", ["__data__"] = "1234.5" },
            ["joined"] = new JsonObject { ["__type__"] = "date", ["__data__"] = "2021-03-04" },
            ["at"] = new JsonObject { ["__type__"] = "datetime", ["__data__"] = "2024-01-05T08:00:00Z" },
        }));

        Assert.Equal("[[1]]", SqlRun.Payload(result)["rows"]!.ToJsonString());
    }

    [PostgresFact]
    public async Task A_thousand_row_query_with_limit_ten_returns_ten_rows_marked_truncated()
    {
        var payload = SqlRun.Payload(await Sql.RunAsync(SqlRun.Query("pg", "select n from numbers order by n", limit: 10)));

        Assert.Equal(Enumerable.Range(1, 10), payload["rows"]!.AsArray().Select(r => r![0]!.GetValue<int>()));
        Assert.True(payload["truncated"]!.GetValue<bool>());
    }

    [PostgresFact]
    public async Task A_truncated_query_over_many_rows_returns_without_reading_them_all()
    {
        // Ten million rows streamed to the end would take far longer than the bound of SqlRun.
        var payload = SqlRun.Payload(await Sql.RunAsync(SqlRun.Query("pg", "select a.n, repeat('x', 200) from numbers a, numbers b, numbers c", limit: 5)));

        Assert.Equal(5, payload["row_count"]!.GetValue<int>());
        Assert.True(payload["truncated"]!.GetValue<bool>());
        Assert.Equal("[[1]]", SqlRun.Payload(await Sql.RunAsync(SqlRun.Query("pg", "select 1")))["rows"]!.ToJsonString());
    }

    [PostgresFact]
    public async Task A_numeric_beyond_decimal_range_is_an_error_suggesting_a_text_cast()
    {
        var (kind, message) = SqlRun.Error(await Sql.RunAsync(SqlRun.Query("pg", "select 1e40::numeric as huge")));

        Assert.Equal("UnreadableValue", kind);
        Assert.Contains("huge", message, StringComparison.Ordinal);
        Assert.Contains("cast it to text", message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_missing_table_carries_the_sqlstate_and_the_server_message()
    {
        var (kind, message) = SqlRun.Error(await Sql.RunAsync(SqlRun.Query("pg", "select * from no_such_table")));

        Assert.Equal("PostgresException:42P01", kind);
        Assert.Contains("no_such_table", message, StringComparison.Ordinal);
    }
}
