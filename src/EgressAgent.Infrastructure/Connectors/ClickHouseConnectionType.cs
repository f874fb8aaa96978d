using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors.Sql;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// <c>clickhouse</c> (docs/protocol.md §12.4) over HTTP through ClickHouse.Driver. Read-only is the
/// server's own <c>readonly=1</c> setting, sent with every query: the server refuses writes, DDL and
/// setting changes. Parameters: <c>%s</c>/<c>%(name)s</c> become the driver's <c>@name</c>, which it
/// rewrites to ClickHouse's typed <c>{name:Type}</c> with the type inferred from the value
/// (docs/connectors.md). Not run against a live server here (docs/adr/0039).
/// </summary>
internal sealed class ClickHouseConnectionType : SqlConnectionType
{
    private const int HttpPort = 8123;
    private const int HttpsPort = 8443;

    public override IReadOnlyList<string> Names { get; } = ["clickhouse"];

    public override SqlParameterStyle ParameterStyle => SqlParameterStyle.Format;

    public override string PositionalPlaceholder(int index) => "@p" + (index + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Bound under the name its placeholder uses (the driver matches <c>@p1</c> to the parameter <c>p1</c>).</summary>
    public override string PositionalParameterName(int index) => "p" + (index + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>The driver matches <c>@name</c> in the SQL to the parameter <c>name</c>: a named parameter is bound without its <c>@</c>.</summary>
    public override void SetParameterValue(DbParameter parameter, object value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        parameter.ParameterName = parameter.ParameterName.TrimStart('@');
        parameter.Value = value;
    }

    public override DbDataSource CreateDataSource(ConnectionRequest request) => new ClickHouseDataSource(SettingsFor(request));

    /// <summary>The driver's settings for these credentials (tested without a server).</summary>
    internal static ClickHouseClientSettings SettingsFor(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var args = CredentialValues.ConnectArgs(request, "connect_args must be an object with host, port, username, password, database");
        var ssl = CredentialValues.SslOptions(request);
        var host = args.Text("host") ?? throw CredentialValues.Invalid("connect_args has no host");
        var port = args.Port();
        var secure = IsSecure(args, ssl, port);
        var settings = new ClickHouseClientSettings
        {
            Host = host,
            Port = (ushort)(port ?? (secure ? HttpsPort : HttpPort)),
            Protocol = secure ? "https" : "http",
            Database = args.Text("database") ?? "default",
            Username = args.Text("username", "user") ?? "default",
            Password = args.Text("password") ?? string.Empty,
            SkipServerCertificateValidation = ssl.Flag("skip_cert_verification"),

            // No gzip of requests and answers: one setting fewer for the server to change under readonly=1,
            // and the request a stand-in server can read (tests); the driver then sends enable_http_compression=false.
            UseCompression = false,
        };
        if (request.ReadOnly)
        {
            // Sent as the last URL parameter of every query, after the driver's own settings (measured
            // against a stand-in server; docs/adr/0039).
            settings.CustomSettings["readonly"] = 1;
        }

        return settings;
    }

    /// <summary>
    /// HTTPS unless <c>ssl_options.disabled</c>, when <c>ssl_options</c> are given, <c>secure</c> is
    /// true or the port is 8443/443; plain HTTP otherwise (a self-hosted server on 8123).
    /// </summary>
    private static bool IsSecure(CredentialValues args, CredentialValues ssl, int? port) =>
        !ssl.Flag("disabled") && (args.OptionalFlag("secure") ?? (ssl.IsGiven || port is HttpsPort or 443));

    /// <summary>
    /// Server exceptions by code; a server that cannot be reached (the driver connects lazily, at the
    /// first query, so this shows up in execute) is a <c>ConnectionError</c>.
    /// </summary>
    public override SqlConnectorError? DescribeError(Exception exception) => exception switch
    {
        ClickHouseServerException server => DescribeServerError(server.ErrorCode, server.Message),
        HttpRequestException http => new SqlConnectorError(http.Message, ConnectorErrorKinds.ConnectionError, nameof(HttpRequestException), null),
        _ => null,
    };

    /// <summary>
    /// The error result of a ClickHouse server exception: 159 (timeout) and 394 (query was cancelled)
    /// are <c>QueryCanceled</c>; 497 (access denied), 291 (database access denied) and 164 (readonly)
    /// <c>InsufficientPrivilege</c>; 516 (authentication failed), 192 (unknown user) and 193 (wrong
    /// password) <c>ConnectionError</c>; else <c>DatabaseError</c>. <c>errno</c> is the code. Servers
    /// before 20.x answer a failed login with 192/193 and a foreign database with 291 (measured on
    /// 18.16: the driver reads the code from the answer's body when there is no
    /// <c>X-ClickHouse-Exception-Code</c> header; docs/adr/0039).
    /// </summary>
    internal static SqlConnectorError DescribeServerError(int code, string message)
    {
        var kind = code switch
        {
            159 or 394 => ConnectorErrorKinds.QueryCanceled,
            497 or 291 or 164 => ConnectorErrorKinds.InsufficientPrivilege,
            516 or 192 or 193 => ConnectorErrorKinds.ConnectionError,
            _ => ConnectorErrorKinds.DatabaseError,
        };
        return new SqlConnectorError(message, kind, nameof(ClickHouseServerException), new JsonObject { ["errno"] = code });
    }
}
