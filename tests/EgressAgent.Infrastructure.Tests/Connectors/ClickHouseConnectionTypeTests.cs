using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors;
using EgressAgent.Infrastructure.Tests.Connectors.Sql;

namespace EgressAgent.Infrastructure.Tests.Connectors;

/// <summary>
/// clickhouse: the driver's settings, what the driver really sends (a local HTTP listener stands in
/// for the server and answers as a ClickHouse server would) and the error mapping. The server against which these were
/// measured (Debian's 18.16) refuses every query the driver sends (docs/adr/0039).
/// </summary>
public sealed class ClickHouseConnectionTypeTests
{
    private readonly ClickHouseConnectionType type = new();

    private static ConnectionRequest Request(JsonObject connectArgs, bool readOnly = true, JsonObject? ssl = null)
    {
        var credentials = new JsonObject { ["connect_args"] = connectArgs };
        if (ssl is not null)
        {
            credentials["ssl_options"] = ssl;
        }

        return new ConnectionRequest("clickhouse", credentials, readOnly);
    }

    [Fact]
    public void Format_style_becomes_the_drivers_at_names()
    {
        Assert.Equal(["clickhouse"], type.Names);
        Assert.Equal(Infrastructure.Connectors.Sql.SqlParameterStyle.Format, type.ParameterStyle);
        Assert.Equal("@p1", type.PositionalPlaceholder(0));
        Assert.Equal("@since", type.NamedPlaceholder("since"));
    }

    [Fact]
    public void Plain_http_on_8123_by_default_with_readonly_1()
    {
        var settings = ClickHouseConnectionType.SettingsFor(Request(new JsonObject { ["host"] = "ch", ["username"] = "mc", ["password"] = "pw", ["database"] = "events" }));
        Assert.Equal(("ch", (ushort)8123, "http", "events", "mc", "pw"), (settings.Host, settings.Port, settings.Protocol, settings.Database, settings.Username, settings.Password));
        Assert.Equal(1, settings.CustomSettings["readonly"]);
        Assert.False(settings.UseCompression);
    }

    [Fact]
    public void Https_on_8443_when_ssl_options_are_given_or_the_port_says_so_and_http_when_disabled()
    {
        var ssl = ClickHouseConnectionType.SettingsFor(Request(new JsonObject { ["host"] = "ch" }, ssl: new JsonObject { ["skip_cert_verification"] = true }));
        Assert.Equal(("https", (ushort)8443, true), (ssl.Protocol, ssl.Port, ssl.SkipServerCertificateValidation));
        var byPort = ClickHouseConnectionType.SettingsFor(Request(new JsonObject { ["host"] = "ch", ["port"] = 8443 }));
        Assert.Equal("https", byPort.Protocol);
        var disabled = ClickHouseConnectionType.SettingsFor(Request(new JsonObject { ["host"] = "ch" }, ssl: new JsonObject { ["disabled"] = true }));
        Assert.Equal(("http", (ushort)8123), (disabled.Protocol, disabled.Port));
        var writable = ClickHouseConnectionType.SettingsFor(Request(new JsonObject { ["host"] = "ch", ["port"] = "9000" }, readOnly: false));
        Assert.False(writable.CustomSettings.ContainsKey("readonly"));
        Assert.Equal((ushort)9000, writable.Port);
    }

    [Theory]
    [InlineData("""{"port": 8123}""")]
    [InlineData("""{"host": "ch", "port": 0}""")]
    public void Unusable_credentials_are_a_credentials_error(string connectArgs)
    {
        var error = Assert.Throws<OperationFailedException>(() => type.CreateDataSource(Request(JsonNode.Parse(connectArgs)!.AsObject())));
        Assert.Equal(ConnectorErrorKinds.CredentialsError, error.Kind);
    }

    [Theory]
    [InlineData(159, ConnectorErrorKinds.QueryCanceled)]
    [InlineData(394, ConnectorErrorKinds.QueryCanceled)]
    [InlineData(497, ConnectorErrorKinds.InsufficientPrivilege)]
    [InlineData(164, ConnectorErrorKinds.InsufficientPrivilege)]
    [InlineData(291, ConnectorErrorKinds.InsufficientPrivilege)]
    [InlineData(516, ConnectorErrorKinds.ConnectionError)]
    [InlineData(192, ConnectorErrorKinds.ConnectionError)]
    [InlineData(193, ConnectorErrorKinds.ConnectionError)]
    [InlineData(60, ConnectorErrorKinds.DatabaseError)]
    public void Server_codes_map_to_kinds_with_errno(int code, string kind)
    {
        var error = ClickHouseConnectionType.DescribeServerError(code, "m");
        Assert.Equal(kind, error.Kind);
        Assert.Equal($$"""{"errno":{{code}}}""", error.Attributes!.ToJsonString());
        Assert.Equal("ClickHouseServerException", error.ExceptionType);
    }

    [Fact]
    public async Task The_driver_sends_readonly_1_and_typed_parameters_and_its_server_error_is_described()
    {
        const string Body = "Code: 164. DB::Exception: Cannot execute query in readonly mode. (READONLY) (version 24.8.1.1)";
        using var standIn = StandIn.Start($"HTTP/1.1 500 Internal Server Error\r\nX-ClickHouse-Exception-Code: 164\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.UTF8.GetByteCount(Body)}\r\nConnection: close\r\n\r\n{Body}");
        var port = standIn.Port;
        var requests = standIn.Requests;

        await using var source = type.CreateDataSource(Request(new JsonObject { ["host"] = "127.0.0.1", ["port"] = port, ["username"] = "mc", ["password"] = "pw" }));
        await using var connection = await source.OpenConnectionAsync();
        await using var command = (ClickHouseCommand)connection.CreateCommand();
        command.CommandText = "INSERT INTO t SELECT @p1, @p2";
        var first = command.CreateParameter();
        first.ParameterName = "@p1";
        type.SetParameterValue(first, 42L);
        command.Parameters.Add(first);
        var second = command.CreateParameter();
        second.ParameterName = "p2";
        second.Value = "x";
        command.Parameters.Add(second);
        var error = await Assert.ThrowsAsync<ClickHouseServerException>(() => command.ExecuteNonQueryAsync());

        var described = type.DescribeError(error)!;
        Assert.Equal(ConnectorErrorKinds.InsufficientPrivilege, described.Kind);
        Assert.Equal("""{"errno":164}""", described.Attributes!.ToJsonString());

        string sent;
        lock (requests)
        {
            sent = Uri.UnescapeDataString(string.Join("\n----\n", requests));
        }

        Assert.Contains("readonly=1", sent, StringComparison.Ordinal);
        Assert.Contains("{p1:Int64}", sent, StringComparison.Ordinal);
        Assert.Contains("{p2:String}", sent, StringComparison.Ordinal);
        Assert.Contains("param_p1=42", sent, StringComparison.Ordinal);
        // The driver's own settings (enable_http_compression, default_format, output_format_…) come
        // first, readonly=1 last, so the server applies readonly after them (docs/adr/0039).
        Assert.Contains("&readonly=1 HTTP/1.1", sent, StringComparison.Ordinal);
    }

    /// <summary>
    /// A server before 20.x answers a wrong password as Debian's 18.16 did (captured on the wire,
    /// docs/adr/0039): 401, no <c>X-ClickHouse-Exception-Code</c> header, the code only in the body.
    /// Through the cursor it is a <c>ConnectionError</c> with <c>errno</c> 193 and no secret.
    /// </summary>
    [Fact]
    public async Task A_wrong_password_answered_as_18_16_does_is_a_connection_error_without_the_secret()
    {
        const string Body = "Code: 193, e.displayText() = DB::Exception: Wrong password for user reader, e.what() = DB::Exception";
        using var standIn = StandIn.Start($"HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain; charset=UTF-8\r\nWWW-Authenticate: Basic realm=\"ClickHouse server HTTP API\"\r\nContent-Length: {Encoding.UTF8.GetByteCount(Body) + 1}\r\nConnection: close\r\n\r\n{Body}\n");
        const string Secret = "wrong-Secret-4711";
        var credentials = new JsonObject { ["connect_args"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = standIn.Port, ["username"] = "reader", ["password"] = Secret } };

        var error = await ConnectorCalls.FailsAsync(async () =>
        {
            await using var session = await ConnectorCalls.OpenAsync(type, credentials);
            await ConnectorCalls.QueryAsync(session, "SELECT 1");
        });

        Assert.Equal(ConnectorErrorKinds.ConnectionError, error.Kind);
        Assert.Equal("""{"errno":193}""", error.Attributes!.ToJsonString());
        Assert.Equal("ClickHouseServerException: " + Body, error.ExceptionText!.TrimEnd());
        Assert.DoesNotContain(Secret, error.ExceptionText, StringComparison.Ordinal);
    }

    /// <summary>A local HTTP listener standing in for a server: records every request and answers each with the same answer.</summary>
    private sealed class StandIn : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public List<string> Requests { get; } = [];

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static StandIn Start(string answer)
        {
            var standIn = new StandIn();
            standIn._listener.Start();
            _ = Task.Run(() => standIn.ServeAsync(answer));
            return standIn;
        }

        public void Dispose() => _listener.Stop();

        private async Task ServeAsync(string answer)
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    var stream = client.GetStream();
                    var buffer = new byte[65536];
                    var read = 0;
                    do
                    {
                        read += await stream.ReadAsync(buffer.AsMemory(read));
                    }
                    while (!Encoding.UTF8.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal) || HasMoreBody(buffer, read));
                    lock (Requests)
                    {
                        Requests.Add(Encoding.UTF8.GetString(buffer, 0, read));
                    }

                    await stream.WriteAsync(Encoding.UTF8.GetBytes(answer));
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
            {
                // The test is over: the listener was stopped.
            }
        }
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_a_connection_error()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var source = type.CreateDataSource(Request(new JsonObject { ["host"] = "127.0.0.1", ["port"] = port }));
        await using var connection = await source.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(() => command.ExecuteScalarAsync());
        Assert.Equal(ConnectorErrorKinds.ConnectionError, type.DescribeError(error)!.Kind);
    }

    private static bool HasMoreBody(byte[] buffer, int read)
    {
        var text = Encoding.UTF8.GetString(buffer, 0, read);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var header = text[..end];
        var lengthLine = header.Split("\r\n").FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (lengthLine is null)
        {
            return header.Contains("chunked", StringComparison.OrdinalIgnoreCase) && !text.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
        }

        return read - (end + 4) < int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
