using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>What is wrong with the operation itself is an error result naming the problem; nothing reaches a database.</summary>
public sealed class SqlRequestTests
{
    private readonly SqlRun _sql = new(("main", "sqlite", "Data Source=/nonexistent/never-opened.db"), ("odd", "oracle", "Data Source=x"));

    public static TheoryData<string> InvalidOperations => new()
    {
        """{"query": "select 1"}""",
        """{"connection": "main"}""",
        """{"connection": "main", "query": "  "}""",
        """{"connection": 5, "query": "select 1"}""",
        """{"connection": "main", "query": "select 1", "limit": -1}""",
        """{"connection": "main", "query": "select 1", "limit": 1.5}""",
        """{"connection": "main", "query": "select 1", "limit": "10"}""",
        """{"connection": "main", "query": "select 1", "timeout": 0}""",
        """{"connection": "main", "query": "select 1", "timeout": 100000}""",
        """{"connection": "main", "query": "select 1", "timeout": "30"}""",
        """{"connection": "main", "query": "select 1", "timeout": true}""",
        """{"connection": "main", "query": "select 1", "limit": 2147483647}""",
        """{"connection": "main", "query": "select 1", "limit": {"rows": 1}}""",
        """{"connection": "main", "query": "select 1", "parameters": [1, 2]}""",
        """{"connection": "main", "query": "select 1", "parameters": {"a b": 1}}""",
        """{"connection": "main", "query": "select 1", "parameters": {"a": [1]}}""",
        """{"connection": "main", "query": "select 1", "parameters": {"a": {"x": 1}}}""",
        """{"connection": "main", "query": "select 1", "parameters": {"a": {"__type__": "date", "__data__": "yesterday"}}}""",
        """{"connection": "main", "query": "select 1", "parameters": {"a": {"__type__": "money", "__data__": "1"}}}""",
        """{"connection": "main", "query": "select 1", "parameters": {"a": 1, "@a": 2}}""",
    };

    [Theory]
    [MemberData(nameof(InvalidOperations))]
    public async Task An_invalid_operation_is_an_invalid_operation_error(string operation)
    {
        var (kind, message) = SqlRun.Error(await _sql.RunAsync(JsonNode.Parse(operation)!.AsObject()));

        Assert.Equal(ErrorKinds.InvalidOperation, kind);
        Assert.NotEmpty(message);
    }

    [Theory]
    [InlineData("""{"connection": "main", "query": "select 1", "limit": -1}""", "'limit' must be an integer from 0 to 2147483646, not -1")]
    [InlineData("""{"connection": "main", "query": "select 1", "timeout": 0}""", "'timeout' must be a number of seconds above 0 and at most 86400, not 0")]
    public async Task A_number_out_of_range_is_named_with_its_accepted_range(string operation, string expected)
    {
        var (kind, message) = SqlRun.Error(await _sql.RunAsync(JsonNode.Parse(operation)!.AsObject()));

        Assert.Equal((ErrorKinds.InvalidOperation, expected), (kind, message));
    }

    [Fact]
    public async Task An_unknown_connection_name_is_an_error_result()
    {
        var (kind, message) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("nosuch", "select 1")));

        Assert.Equal("UnknownConnection", kind);
        Assert.Equal("Unknown connection 'nosuch'", message);
    }

    [Fact]
    public async Task Connection_names_match_regardless_of_case()
    {
        var (kind, _) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("MAIN", "select 1")));

        Assert.Equal("SqliteException:SQLITE_CANTOPEN", kind);
    }

    [Fact]
    public async Task A_connection_with_an_unsupported_provider_is_an_error_result()
    {
        var (kind, _) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("odd", "select 1")));

        Assert.Equal("UnsupportedProvider", kind);
    }
}
