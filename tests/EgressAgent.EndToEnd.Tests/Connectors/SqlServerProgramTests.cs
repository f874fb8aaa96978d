using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static EgressAgent.EndToEnd.Tests.Connectors.CommandsPrograms;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>
/// No SQL Server runs here (docs/adr/0039); what the real agent can still prove is that its
/// build lets SqlClient try: a server that refuses the connection is a <c>ConnectionError</c>
/// naming the network failure — not "not available in this build" — and no password shows.
/// </summary>
public sealed class SqlServerProgramTests(ITestOutputHelper output)
{
    private const string Password = "mssql-PASSWORD-never-shown-0c4e";

    [Fact]
    public async Task A_refused_connection_is_a_ConnectionError_from_the_driver_and_shows_no_password()
    {
        var port = ClosedPort();
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["keys"] = new(ConnectorRun.Execute + "sql-server/fetch_tables", Standard("select 1"), new JsonObject
            {
                ["connect_args"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = port, ["user"] = "monitor", ["password"] = Password, ["database"] = "db", ["login_timeout"] = 3 },
            }),
            ["odbc"] = new(ConnectorRun.Execute + "azure-sql-database/fetch_tables", Standard("select 1"), new JsonObject
            {
                ["connect_args"] = $"DRIVER={{ODBC Driver 18 for SQL Server}};SERVER=tcp:127.0.0.1,{port};UID=monitor;PWD={Password};DATABASE=db;Connection Timeout=3",
            }),
        });

        foreach (var name in new[] { "keys", "odbc" })
        {
            var message = Error(run[name], "ConnectionError");
            Assert.DoesNotContain("not available", message, StringComparison.Ordinal);
        }

        run.AssertNowhere(Password);
    }

    [Fact]
    public async Task On_a_host_run_without_ICU_sql_server_says_it_is_unavailable_and_the_other_types_still_work()
    {
        var run = await ConnectorRun.RunAsync(
            output,
            new Dictionary<string, ConnectorOperation>
            {
                ["mssql"] = new(ConnectorRun.Execute + "sql-server/fetch_tables", Standard("select 1"), new JsonObject
                {
                    ["connect_args"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = ClosedPort(), ["user"] = "monitor", ["password"] = Password },
                }),
                ["duckdb"] = new(ConnectorRun.Execute + "duckdb/one", Standard("select 41 + 1 as answer"), new JsonObject { ["connect_args"] = new JsonObject { ["database"] = ":memory:" } }),
            },
            settings => settings.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1"); // docs/adr/0040

        Assert.StartsWith("sql-server is not available in this build: ", Error(run["mssql"], "ConnectionError"), StringComparison.Ordinal);
        Assert.Equal("[[42]]", Payload(run["duckdb"])["all_results"]!.ToJsonString());
        run.AssertNowhere(Password);
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
