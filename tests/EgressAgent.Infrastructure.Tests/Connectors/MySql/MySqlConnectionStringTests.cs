using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors;
using MySqlConnector;

namespace EgressAgent.Infrastructure.Tests.Connectors.MySql;

/// <summary>How <c>credentials</c> become MySqlConnector's connection string and data source (no server needed).</summary>
public sealed class MySqlConnectionStringTests
{
    private const string Secret = "s3cr3t-Pa55word";

    [Fact]
    public void Connect_args_become_the_connection_string_with_timeouts_keepalive_and_a_bounded_pool()
    {
        var builder = MySqlConnectionType.ConnectionStringOf(Request(new JsonObject
        {
            ["host"] = "db.example", ["port"] = 3307, ["user"] = "mc", ["password"] = Secret, ["database"] = "shop",
        }));

        Assert.Equal("db.example", builder.Server);
        Assert.Equal(3307u, builder.Port);
        Assert.Equal("mc", builder.UserID);
        Assert.Equal(Secret, builder.Password);
        Assert.Equal("shop", builder.Database);
        Assert.Equal(10u, builder.ConnectionTimeout);
        Assert.True(builder.Keepalive > 0);
        Assert.True(builder.Pooling);
        Assert.InRange(builder.MaximumPoolSize, 1u, 64u);
        Assert.False(builder.AllowLoadLocalInfile);
        Assert.Equal(MySqlSslMode.Preferred, builder.SslMode);
        Assert.Equal(0u, builder.DefaultCommandTimeout);
    }

    [Fact]
    public void The_aliases_of_PyMySQL_and_text_numbers_are_accepted_and_the_port_defaults_to_3306()
    {
        var builder = MySqlConnectionType.ConnectionStringOf(Request(new JsonObject
        {
            ["host"] = "h", ["user"] = "u", ["passwd"] = Secret, ["db"] = "d", ["connect_timeout"] = "3",
        }));

        Assert.Equal(3306u, builder.Port);
        Assert.Equal(Secret, builder.Password);
        Assert.Equal("d", builder.Database);
        Assert.Equal(3u, builder.ConnectionTimeout);

        Assert.Equal(5432u, MySqlConnectionType.ConnectionStringOf(Request(new JsonObject { ["host"] = "h", ["port"] = "5432" })).Port);
    }

    [Fact]
    public void A_query_timeout_is_the_types_own_bound()
    {
        var type = new MySqlConnectionType();
        var request = Request(new JsonObject { ["host"] = "h", ["query_timeout_in_seconds"] = 7 });

        Assert.Equal(TimeSpan.FromSeconds(7), type.QueryTimeout(request));
        Assert.Equal(8u, MySqlConnectionType.ConnectionStringOf(request).DefaultCommandTimeout); // the driver's backstop, after the server's bound
        Assert.Null(type.QueryTimeout(Request(new JsonObject { ["host"] = "h" })));
    }

    [Theory]
    [InlineData("{\"disabled\": true}", MySqlSslMode.None)]
    [InlineData("{\"skip_cert_verification\": true}", MySqlSslMode.Required)]
    [InlineData("{\"ca_data\": \"-----BEGIN CERTIFICATE-----\"}", MySqlSslMode.Required)]
    [InlineData("{}", MySqlSslMode.Required)]
    public void Ssl_options_choose_the_ssl_mode(string sslOptions, MySqlSslMode expected)
    {
        var credentials = new JsonObject { ["connect_args"] = new JsonObject { ["host"] = "h" }, ["ssl_options"] = JsonNode.Parse(sslOptions) };

        Assert.Equal(expected, MySqlConnectionType.ConnectionStringOf(new ConnectionRequest("mysql", credentials, ReadOnly: true)).SslMode);
    }

    [Fact]
    public void The_TLS_material_stays_out_of_the_connection_string()
    {
        var credentials = new JsonObject
        {
            ["connect_args"] = new JsonObject { ["host"] = "h", ["password"] = Secret },
            ["ssl_options"] = new JsonObject { ["ca_data"] = TestCertificates.CaPem },
        };

        var connectionString = MySqlConnectionType.ConnectionStringOf(new ConnectionRequest("mysql", credentials, ReadOnly: true)).ConnectionString;
        using var source = new MySqlConnectionType().CreateDataSource(new ConnectionRequest("mysql", credentials, ReadOnly: true));

        Assert.DoesNotContain("BEGIN", connectionString, StringComparison.Ordinal);
        Assert.DoesNotContain("SslCa", connectionString, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("CertificateFile", connectionString, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("{\"ca_data\": \"not a certificate\"}")]
    [InlineData("{\"cert_data\": \"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\"}")]
    public void Tls_material_that_is_not_usable_is_a_credentials_error(string sslOptions)
    {
        var credentials = new JsonObject { ["connect_args"] = new JsonObject { ["host"] = "h", ["password"] = Secret }, ["ssl_options"] = JsonNode.Parse(sslOptions) };

        var failure = Assert.Throws<OperationFailedException>(() => new MySqlConnectionType().CreateDataSource(new ConnectionRequest("mysql", credentials, ReadOnly: true)));

        Assert.Equal(ConnectorErrorKinds.CredentialsError, failure.Kind);
        Assert.DoesNotContain(Secret, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"host\": \"h\", \"port\": 70000, \"password\": \"s3cr3t-Pa55word\"}")]
    [InlineData("{\"host\": \"h\", \"port\": \"s3cr3t-Pa55word\"}")]
    [InlineData("{\"host\": {\"nested\": \"s3cr3t-Pa55word\"}}")]
    public void Credentials_that_cannot_make_a_connection_string_are_a_credentials_error_without_the_secret(string connectArgs)
    {
        var failure = Assert.Throws<OperationFailedException>(() => MySqlConnectionType.ConnectionStringOf(Request(JsonNode.Parse(connectArgs)!.AsObject())));

        Assert.Equal(ConnectorErrorKinds.CredentialsError, failure.Kind);
        Assert.DoesNotContain(Secret, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_without_connect_args_are_a_credentials_error()
    {
        var failure = Assert.Throws<OperationFailedException>(() => MySqlConnectionType.ConnectionStringOf(new ConnectionRequest("mysql", [], ReadOnly: true)));

        Assert.Equal(ConnectorErrorKinds.CredentialsError, failure.Kind);
    }

    [Fact]
    public void The_type_serves_mysql_and_its_alias_mariadb_in_the_format_paramstyle()
    {
        var type = new MySqlConnectionType();

        Assert.Equal(["mysql", "mariadb"], type.Names);
        Assert.Equal("?", type.PositionalPlaceholder(0));
        Assert.Equal("?", type.PositionalPlaceholder(3));
        Assert.Equal("@limit", type.NamedPlaceholder("limit"));
    }

    private static ConnectionRequest Request(JsonObject connectArgs) => new("mysql", new JsonObject { ["connect_args"] = connectArgs }, ReadOnly: true);
}
