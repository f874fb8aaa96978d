using EgressAgent.Domain.Text;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>An error result tells what the database said, never the connection string or its password.</summary>
public sealed class SqlErrorSecretTests
{
    private const string Password = "pw-9c1e-NEVER-in-a-result";

    public static TheoryData<string, string, string> FailingConnections => new()
    {
        // Nothing listens on port 1: the driver's connect error.
        { "postgres", $"Host=127.0.0.1;Port=1;Username=agent;Password={Password};Database=x;Timeout=2", "select 1" },
        // The driver cannot parse it: an argument error about the connection string.
        { "postgres", $"Host=127.0.0.1;Port=not-a-port;Password={Password}", "select 1" },
        { "postgres", $"Host=127.0.0.1;Password={Password};Bogus Keyword={Password}", "select 1" },
        // SQLite without encryption support refuses a password.
        { "sqlite", $"Data Source=/tmp/egress-never-{Password}.db;Password={Password}", "select 1" },
        { "sqlite", $"Data Source=/nonexistent/{Password}/x.db", "select 1" },
    };

    [Theory]
    [MemberData(nameof(FailingConnections))]
    public async Task The_error_result_of_a_failing_connection_contains_neither_the_connection_string_nor_the_password(string provider, string connectionString, string query)
    {
        var sql = new SqlRun(("main", provider, connectionString));

        var result = await sql.RunAsync(SqlRun.Query("main", query));

        var (_, message) = SqlRun.Error(result);
        Assert.NotEmpty(message);
        var text = result.ToJsonString();
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(connectionString, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=h;Password=s3cr3t-value;Database=d", "login with s3cr3t-value failed", "login with *** failed")]
    [InlineData("Host=h;PWD=s3cr3t-value", "bad: s3cr3t-value", "bad: ***")]
    [InlineData("Host=h;Password=s3cr3t-value", "could not use Host=h;Password=s3cr3t-value", "could not use ***")]
    [InlineData("Data Source=x.db", "plain message", "plain message")]
    public void Redaction_replaces_the_connection_string_and_its_secret_values(string connectionString, string message, string expected) =>
        Assert.Equal(expected, SecretNames.RedactConnectionString(message, connectionString));
}
