using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors;
using EgressAgent.Tests.Shared;
using static EgressAgent.Infrastructure.Tests.Connectors.ClickHouse.ClickHouseTestSource;
using static EgressAgent.Infrastructure.Tests.Connectors.Sql.ConnectorCalls;

namespace EgressAgent.Infrastructure.Tests.Connectors.ClickHouse;

/// <summary>
/// The <c>clickhouse</c> connection type against a real server (<see cref="ClickHouseFactAttribute"/>),
/// through the cursor's methods as a commands program calls them (docs/protocol.md §12.2–§12.4).
/// Written and run against Debian's clickhouse-server 18.16.1, which refuses every query
/// ClickHouse.Driver 1.5.0 sends (docs/adr/0039): they describe what a server the driver supports must do.
/// </summary>
public sealed class ClickHouseLiveTests : IAsyncLifetime
{
    private readonly string _table = UniqueName("orders");
    private readonly ClickHouseConnectionType _type = new();

    public async Task InitializeAsync()
    {
        if (!ClickHouseFactAttribute.Available)
        {
            return;
        }

        await AdminAsync($"CREATE TABLE egress_test.{_table} (id Int32, amount Decimal(10, 2), name String, created_at DateTime('UTC')) ENGINE = Memory");
        await AdminAsync($"INSERT INTO egress_test.{_table} VALUES (0, 1, 'zero', '2024-01-01 00:00:00'), (1, 10.50, 'one', '2024-05-01 12:00:00')");
    }

    public async Task DisposeAsync()
    {
        if (ClickHouseFactAttribute.Available)
        {
            await AdminAsync($"DROP TABLE IF EXISTS egress_test.{_table}");
        }
    }

    [ClickHouseFact]
    public async Task Positional_parameters_fetchall_description_and_rowcount()
    {
        await using var session = await OpenAsync(_type, CredentialsOf());
        var (rows, description, rowCount) = await QueryAsync(session, $"SELECT id, amount, name, created_at FROM {_table} WHERE id > %s AND name <> %s ORDER BY id", new JsonArray(0, "x"));

        Assert.Equal("""[[1,{"__type__":"decimal","__data__":"10.50"},"one",{"__type__":"datetime","__data__":"2024-05-01T12:00:00+00:00"}]]""", Json(rows));
        Assert.Equal(1, rowCount);
        var columns = Parsed(description!).AsArray();
        Assert.Equal(["id", "amount", "name", "created_at"], columns.Select(c => c![0]!.GetValue<string>()));
        Assert.All(columns, c => Assert.Equal(7, c!.AsArray().Count));
    }

    [ClickHouseFact]
    public async Task Named_parameters_and_a_literal_percent()
    {
        await using var session = await OpenAsync(_type, CredentialsOf());
        var (rows, _, _) = await QueryAsync(session, $"SELECT name, '100%%' FROM {_table} WHERE id = %(id)s", new JsonObject { ["id"] = 0 });

        Assert.Equal("""[["zero","100%"]]""", Json(rows));
    }

    [ClickHouseFact]
    public async Task Readonly_1_refuses_a_write()
    {
        await using var session = await OpenAsync(_type, CredentialsOf());
        var cursor = await CursorAsync(session);
        var error = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create($"INSERT INTO {_table} VALUES (2, 2, 'two', now())"), null));

        Assert.Equal(ConnectorErrorKinds.InsufficientPrivilege, error.Kind);
        Assert.Equal("""{"errno":164}""", error.Attributes!.ToJsonString());
        Assert.Equal("2", (await AdminAsync($"SELECT count() FROM egress_test.{_table}")).Trim());
    }

    [ClickHouseFact]
    public async Task A_database_the_user_may_not_read_is_insufficient_privilege()
    {
        await using var session = await OpenAsync(_type, CredentialsOf());
        var cursor = await CursorAsync(session);
        var error = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create("SELECT count() FROM egress_secret.t"), null));

        Assert.Equal(ConnectorErrorKinds.InsufficientPrivilege, error.Kind);
    }

    [ClickHouseFact]
    public async Task The_operation_timeout_cancels_a_long_query_as_query_canceled()
    {
        await using var session = await OpenAsync(_type, CredentialsOf(), operationTimeout: TimeSpan.FromSeconds(1));
        var cursor = await CursorAsync(session);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = await FailsAsync(() => CallAsync(cursor, "execute", JsonValue.Create("SELECT sleep(3)"), null));

        Assert.Equal(ConnectorErrorKinds.QueryCanceled, error.Kind);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2.5), $"took {started.Elapsed}");
    }

    [ClickHouseFact]
    public async Task A_wrong_password_is_a_connection_error_without_the_secret()
    {
        const string Wrong = "wrong-Secret-4711";
        var error = await FailsAsync(async () =>
        {
            await using var session = await OpenAsync(_type, CredentialsOf(change: a => a["password"] = Wrong));
            await QueryAsync(session, "SELECT 1");
        });

        Assert.Equal(ConnectorErrorKinds.ConnectionError, error.Kind);
        Assert.DoesNotContain(Wrong, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, error.ExceptionText ?? string.Empty, StringComparison.Ordinal);
    }
}
