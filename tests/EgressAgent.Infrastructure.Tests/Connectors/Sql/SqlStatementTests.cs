using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors;
using EgressAgent.Infrastructure.Connectors.Sql;

namespace EgressAgent.Infrastructure.Tests.Connectors.Sql;

/// <summary>DB-API placeholders rewritten to the driver's (docs/protocol.md §12.2); values bound, never spliced.</summary>
public sealed class SqlStatementTests
{
    [Fact]
    public void Format_positional_binds_dollar_numbers_and_keeps_a_literal_percent()
    {
        var statement = SqlStatement.Bind(new PostgresConnectionType(), "select %s, '50%%', %s", new JsonArray(1, "a"));

        Assert.Equal("select $1, '50%', $2", statement.Sql);
        Assert.Equal([string.Empty, string.Empty], statement.Parameters.Select(p => p.Key));
        Assert.Equal([1L, (object)"a"], statement.Parameters.Select(p => p.Value));
    }

    [Fact]
    public void Without_parameters_the_sql_is_sent_as_it_is()
    {
        Assert.Equal("select '%%s'", SqlStatement.Bind(new PostgresConnectionType(), "select '%%s'", null).Sql);
    }

    [Fact]
    public void Format_named_binds_each_name_once()
    {
        var statement = SqlStatement.Bind(new PostgresConnectionType(), "select %(a)s + %(a)s", new JsonObject { ["a"] = 1 });

        Assert.Equal("select @a + @a", statement.Sql);
        Assert.Single(statement.Parameters);
    }

    [Theory]
    [InlineData("select %s, %s", "IndexError")]
    [InlineData("select 1", "TypeError")]
    [InlineData("select '5%'", "ValueError")]
    [InlineData("select %(a)s", "TypeError")]
    public void Format_mismatches_are_program_errors(string sql, string type)
    {
        var error = Assert.Throws<OperationFailedException>(() => SqlStatement.Bind(new PostgresConnectionType(), sql, new JsonArray(1)));

        Assert.Equal(ConnectorErrorKinds.ProgramError, error.Kind);
        Assert.StartsWith(type + ": ", error.ExceptionText, StringComparison.Ordinal);
    }

    [Fact]
    public void Question_marks_are_rewritten_outside_literals_names_and_comments_only()
    {
        var statement = SqlStatement.Bind(new SqliteConnectionType(), "select ?, '?', \"?\", [?] -- ?\n, /* ? */ ?", new JsonArray(1, 2));

        Assert.Equal("select ?1, '?', \"?\", [?] -- ?\n, /* ? */ ?2", statement.Sql);
        Assert.Equal(["?1", "?2"], statement.Parameters.Select(p => p.Key));
    }

    [Fact]
    public void A_name_that_is_not_an_identifier_is_refused()
    {
        var error = Assert.Throws<OperationFailedException>(() => SqlStatement.Bind(new PostgresConnectionType(), "select %(a;b)s", new JsonObject { ["a;b"] = 1 }));

        Assert.Equal(ConnectorErrorKinds.ProgramError, error.Kind);
    }
}
