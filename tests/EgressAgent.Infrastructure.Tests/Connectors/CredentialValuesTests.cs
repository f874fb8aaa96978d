using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors;

namespace EgressAgent.Infrastructure.Tests.Connectors;

/// <summary>The one reader of <c>connect_args</c>/<c>ssl_options</c> values that every connection type uses.</summary>
public sealed class CredentialValuesTests
{
    private const string Secret = "s3cr3t-value";

    private static CredentialValues Args(string json) => CredentialValues.ConnectArgs(JsonNode.Parse(json)!.AsObject());

    [Fact]
    public void Text_is_the_first_alias_with_a_value_and_a_number_is_its_json_text()
    {
        var args = Args("""{"user": "", "username": "u", "port": 5432, "nothing": null}""");

        Assert.Equal("u", args.Text("user", "username"));
        Assert.Equal("5432", args.Text("port"));
        Assert.Null(args.Text("nothing", "absent"));
    }

    [Theory]
    [InlineData("""{"port": "5433"}""", 5433)]
    [InlineData("""{"port": 5433}""", 5433)]
    [InlineData("""{"port": 5433.0}""", 5433)]
    [InlineData("""{"port": ""}""", null)]
    [InlineData("""{}""", null)]
    public void A_port_is_a_whole_number_or_its_text(string json, int? expected) => Assert.Equal(expected, Args(json).Port());

    [Theory]
    [InlineData("""{"host": {"nested": "s3cr3t-value"}}""", "host", "connect_args.host")]
    [InlineData("""{"host": true}""", "host", "connect_args.host")]
    [InlineData("""{"port": "s3cr3t-value"}""", "port", "connect_args.port")]
    [InlineData("""{"port": 70000}""", "port", "connect_args.port")]
    [InlineData("""{"port": 5432.5}""", "port", "connect_args.port")]
    [InlineData("""{"port": "NaN"}""", "port", "connect_args.port")]
    [InlineData("""{"connect_timeout": -1}""", "connect_timeout", "connect_args.connect_timeout")]
    [InlineData("""{"connect_timeout": "soon"}""", "connect_timeout", "connect_args.connect_timeout")]
    public void A_value_of_the_wrong_shape_is_a_credentials_error_naming_the_key_not_the_value(string json, string key, string named)
    {
        var args = Args(json);
        var failure = Assert.Throws<OperationFailedException>(() => key switch
        {
            "port" => args.Port(),
            "connect_timeout" => args.Seconds(key, 0, 60),
            _ => (object?)args.Text(key),
        });

        Assert.Equal(ConnectorErrorKinds.CredentialsError, failure.Kind);
        Assert.StartsWith(named + " must be", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seconds_are_a_number_or_its_text_within_the_range()
    {
        var args = Args("""{"a": "2.5", "b": 0}""");

        Assert.Equal(2.5, args.Seconds("a", 0, 60));
        Assert.Equal(0, args.Seconds("b", 0, 60));
        Assert.Null(args.Seconds("c", 0, 60));
        Assert.Throws<OperationFailedException>(() => args.Seconds("b", 1, 60));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("\"true\"", true)]
    [InlineData("\"True\"", true)]
    [InlineData("\" TRUE \"", true)]
    [InlineData("\"1\"", true)]
    [InlineData("\"yes\"", true)]
    [InlineData("\"on\"", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("\"false\"", false)]
    [InlineData("\"no\"", false)]
    [InlineData("\"0\"", false)]
    [InlineData("null", null)]
    [InlineData("\"\"", null)]
    public void Flags_are_booleans_numbers_or_their_text(string value, bool? expected)
    {
        var ssl = CredentialValues.SslOptions(new ConnectionRequest("t", JsonNode.Parse("""{"ssl_options": {"disabled": """ + value + "}}")!.AsObject(), ReadOnly: true));

        Assert.Equal(expected, ssl.OptionalFlag("disabled"));
        Assert.Equal(expected ?? false, ssl.Flag("disabled"));
    }

    [Fact]
    public void Absent_ssl_options_read_as_absent_and_a_flag_of_the_wrong_shape_is_an_error()
    {
        var none = CredentialValues.SslOptions(new ConnectionRequest("t", [], ReadOnly: true));
        Assert.False(none.IsGiven);
        Assert.False(none.Flag("disabled"));
        Assert.Null(none.Text("ca_data"));

        var wrong = CredentialValues.SslOptions(new ConnectionRequest("t", JsonNode.Parse("""{"ssl_options": {"disabled": [1]}}""")!.AsObject(), ReadOnly: true));
        Assert.True(wrong.IsGiven);
        var failure = Assert.Throws<OperationFailedException>(() => wrong.Flag("disabled"));
        Assert.Equal("ssl_options.disabled must be a boolean", failure.Message);
    }
}
