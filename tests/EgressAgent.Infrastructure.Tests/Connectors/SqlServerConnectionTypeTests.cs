using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors;
using Microsoft.Data.SqlClient;

namespace EgressAgent.Infrastructure.Tests.Connectors;

/// <summary>sql-server and its Azure/Fabric names: translation and error mapping only — no server exists here (docs/adr/0039).</summary>
public sealed class SqlServerConnectionTypeTests
{
    private readonly SqlServerConnectionType type = new();

    private static ConnectionRequest Request(JsonNode connectArgs, bool readOnly = true, JsonObject? ssl = null)
    {
        var credentials = new JsonObject { ["connect_args"] = connectArgs };
        if (ssl is not null)
        {
            credentials["ssl_options"] = ssl;
        }

        return new ConnectionRequest("sql-server", credentials, readOnly);
    }

    private static SqlConnectionStringBuilder Built(ConnectionRequest request) => new(SqlServerConnectionType.ConnectionStringFor(request));

    [Fact]
    public void Serves_the_four_names_and_rewrites_question_marks_to_numbered_parameters()
    {
        Assert.Equal(["sql-server", "azure-sql-database", "azure-dedicated-sql-pool", "microsoft-fabric"], type.Names);
        Assert.Equal(Infrastructure.Connectors.Sql.SqlParameterStyle.QuestionMark, type.ParameterStyle);
        Assert.Equal("@p1", type.PositionalPlaceholder(0));
        Assert.Equal("@p12", type.PositionalPlaceholder(11));
        Assert.Equal("@since", type.NamedPlaceholder("since"));
        Assert.False(type.Blocking);
    }

    [Fact]
    public void Keys_of_connect_args_with_defaults_and_read_only_intent()
    {
        var built = Built(Request(new JsonObject { ["host"] = "db.example", ["user"] = "mc", ["password"] = "p;w=d", ["database"] = "sales" }));
        Assert.Equal("tcp:db.example,1433", built.DataSource);
        Assert.Equal("mc", built.UserID);
        Assert.Equal("p;w=d", built.Password);
        Assert.Equal("sales", built.InitialCatalog);
        Assert.Equal(15, built.ConnectTimeout);
        Assert.Equal(ApplicationIntent.ReadOnly, built.ApplicationIntent);
        Assert.Equal(SqlConnectionEncryptOption.Mandatory, built.Encrypt);
        Assert.Equal(TimeSpan.FromSeconds(840), type.QueryTimeout(Request(new JsonObject { ["host"] = "h" })));
    }

    [Fact]
    public void Username_port_and_timeouts_given_as_numbers_or_strings()
    {
        var request = Request(new JsonObject { ["host"] = "h", ["port"] = "14330", ["username"] = "u", ["login_timeout"] = 5, ["query_timeout_in_seconds"] = "60" }, readOnly: false);
        var built = Built(request);
        Assert.Equal("tcp:h,14330", built.DataSource);
        Assert.Equal("u", built.UserID);
        Assert.Equal(5, built.ConnectTimeout);
        Assert.Equal(ApplicationIntent.ReadWrite, built.ApplicationIntent);
        Assert.Equal(TimeSpan.FromSeconds(60), type.QueryTimeout(request));
    }

    [Fact]
    public void Odbc_string_form_is_translated_and_driver_ignored()
    {
        var built = Built(Request(JsonValue.Create("Driver={ODBC Driver 18 for SQL Server};SERVER=tcp:h.database.windows.net,1433;UID=mc;PWD={p;}}w};DATABASE=sales;Encrypt=yes;TrustServerCertificate=no;Connection Timeout=30")));
        Assert.Equal("tcp:h.database.windows.net,1433", built.DataSource);
        Assert.Equal("mc", built.UserID);
        Assert.Equal("p;}w", built.Password);
        Assert.Equal("sales", built.InitialCatalog);
        Assert.Equal(SqlConnectionEncryptOption.Mandatory, built.Encrypt);
        Assert.False(built.TrustServerCertificate);
        Assert.Equal(30, built.ConnectTimeout);
        Assert.Equal(ApplicationIntent.ReadOnly, built.ApplicationIntent);
    }

    [Fact]
    public void Ssl_options_skip_verification_and_disabled()
    {
        var skip = Built(Request(new JsonObject { ["host"] = "h" }, ssl: new JsonObject { ["skip_cert_verification"] = true }));
        Assert.True(skip.TrustServerCertificate);
        var disabled = Built(Request(new JsonObject { ["host"] = "h" }, ssl: new JsonObject { ["disabled"] = true, ["ca_data"] = "-----BEGIN CERTIFICATE-----" }));
        Assert.Equal(SqlConnectionEncryptOption.Optional, disabled.Encrypt);
    }

    [Theory]
    [InlineData("""{"user": "u"}""")]
    [InlineData("""{"host": "h", "port": 70000}""")]
    [InlineData("""{"host": "h", "login_timeout": "soon"}""")]
    [InlineData("42")]
    public void Unusable_credentials_are_a_credentials_error(string connectArgs)
    {
        var error = Assert.Throws<OperationFailedException>(() => type.CreateDataSource(Request(JsonNode.Parse(connectArgs)!)));
        Assert.Equal(ConnectorErrorKinds.CredentialsError, error.Kind);
    }

    [Fact]
    public void A_malformed_odbc_string_never_echoes_it()
    {
        var error = Assert.Throws<OperationFailedException>(() => type.CreateDataSource(Request(JsonValue.Create("SERVER=h;PWD={secret-pw"))));
        Assert.Equal(ConnectorErrorKinds.CredentialsError, error.Kind);
        Assert.DoesNotContain("secret-pw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_source_is_made_without_contacting_the_server()
    {
        await using var source = type.CreateDataSource(Request(new JsonObject { ["host"] = "h", ["password"] = "pw" }));
        Assert.Contains("tcp:h,1433", source.ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-2, ConnectorErrorKinds.QueryCanceled)]
    [InlineData(3980, ConnectorErrorKinds.QueryCanceled)]
    [InlineData(229, ConnectorErrorKinds.InsufficientPrivilege)]
    [InlineData(230, ConnectorErrorKinds.InsufficientPrivilege)]
    [InlineData(262, ConnectorErrorKinds.InsufficientPrivilege)]
    [InlineData(297, ConnectorErrorKinds.InsufficientPrivilege)]
    [InlineData(300, ConnectorErrorKinds.InsufficientPrivilege)]
    [InlineData(18456, ConnectorErrorKinds.ConnectionError)]
    [InlineData(208, ConnectorErrorKinds.DatabaseError)]
    [InlineData(102, ConnectorErrorKinds.DatabaseError)]
    public void Error_numbers_map_to_kinds_with_errno_state_and_severity(int number, string kind)
    {
        var error = SqlServerConnectionType.DescribeSqlError(number, 1, 16, "message");
        Assert.Equal(kind, error.Kind);
        Assert.Equal("message", error.Message);
        Assert.Equal("SqlException", error.ExceptionType);
        Assert.Equal($$"""{"errno":{{number}},"state":1,"severity":16}""", error.Attributes!.ToJsonString());
    }

    [Fact]
    public void SqlClient_cancellation_message_is_QueryCanceled_and_foreign_exceptions_are_not_described()
    {
        Assert.Equal(ConnectorErrorKinds.QueryCanceled, SqlServerConnectionType.DescribeSqlError(0, 0, 11, "Operation cancelled by user.").Kind);
        Assert.Null(type.DescribeError(new InvalidOperationException("x")));
    }

    [Fact]
    public async Task SqlClient_refuses_globalization_invariant_mode_so_the_type_says_it_is_unavailable()
    {
        // The test projects run invariant (Directory.Build.props); the agent itself runs with ICU (docs/adr/0040).
        Assert.True(AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant) && invariant);
        await using var connection = new SqlConnection("Data Source=tcp:127.0.0.1,1;Connect Timeout=2");
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => connection.OpenAsync());
        Assert.Contains("Globalization Invariant Mode is not supported", refused.Message, StringComparison.Ordinal);

        var error = Assert.Throws<OperationFailedException>(() => type.CreateClient(Request(new JsonObject { ["host"] = "h" })));
        Assert.Equal(ConnectorErrorKinds.ConnectionError, error.Kind);
        Assert.StartsWith("sql-server is not available in this build: Microsoft.Data.SqlClient does not support", error.Message, StringComparison.Ordinal);
    }
}
