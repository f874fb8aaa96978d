using System.Text.Json.Nodes;
using EgressAgent.Tests.Shared;
using MySqlConnector;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>
/// A table (and, when asked, a database and users) made by the admin for one test and dropped
/// after it; the agent is given the read-only user of <c>EGRESS_TEST_MARIADB</c> as <c>connect_args</c>.
/// </summary>
internal sealed class MariaDbFixture : IAsyncDisposable
{
    private readonly List<string> _users = [];

    private MariaDbFixture(string table) => Table = table;

    /// <summary>The table's name, in database <c>egress_test</c>, which the read-only user may read.</summary>
    public string Table { get; }

    /// <summary>A database the read-only user may not read (<c>{t}_secret</c>), for permission errors.</summary>
    public string SecretDatabase => Table + "_secret";

    private static MySqlConnectionStringBuilder Reader => new(MariaDbFactAttribute.ConnectionString);

    /// <summary>Runs <paramref name="setup"/> as the admin, with <c>{t}</c> the table's name.</summary>
    public static async Task<MariaDbFixture> CreateAsync(string setup)
    {
        var fixture = new MariaDbFixture($"e2e_{Guid.NewGuid():N}");
        await AdminAsync(setup.Replace("{t}", fixture.Table, StringComparison.Ordinal));
        return fixture;
    }

    public static string ReaderPassword => Reader.Password;

    public JsonObject Credentials(string? user = null, string? password = null)
    {
        var reader = Reader;
        return new JsonObject
        {
            ["connect_args"] = new JsonObject
            {
                ["host"] = reader.Server,
                ["port"] = (int)reader.Port,
                ["database"] = reader.Database,
                ["user"] = user ?? reader.UserID,
                ["password"] = password ?? reader.Password,
            },
            ["ssl_options"] = new JsonObject { ["disabled"] = true },
        };
    }

    /// <summary>
    /// A user with <paramref name="grants"/> on the table (e.g. <c>SELECT, DELETE</c>): only the read-only session stops its writes.
    /// <paramref name="require"/> is the TLS the server demands of it (<c>SSL</c>, <c>X509</c>), none by default.
    /// </summary>
    public async Task<string> CreateUserAsync(string password, string grants, string? require = null)
    {
        var user = $"e2e_{Guid.NewGuid():N}"[..20];
        _users.Add(user);
        var requirement = require is null ? string.Empty : $" REQUIRE {require}";
        await AdminAsync($"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY '{password}'{requirement}; GRANT {grants} ON egress_test.{Table} TO '{user}'@'127.0.0.1';");
        return user;
    }

    public static async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new MySqlConnection(MariaDbFactAttribute.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        var drops = string.Concat(_users.Select(u => $"DROP USER IF EXISTS '{u}'@'127.0.0.1';"));
        await AdminAsync($"DROP TABLE IF EXISTS {Table}; DROP DATABASE IF EXISTS {SecretDatabase}; {drops}");
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new MySqlConnection(MariaDbFactAttribute.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
