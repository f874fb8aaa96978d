using System.Text.Json.Nodes;
using EgressAgent.Tests.Shared;
using Npgsql;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>
/// A table (and roles) made by the superuser for one test and dropped after it; the agent is
/// given the ordinary role of <c>EGRESS_TEST_POSTGRES</c> as <c>connect_args</c>.
/// </summary>
internal sealed class PostgresFixture : IAsyncDisposable
{
    /// <summary>A group .ci/run makes whose members must log in with a password over TCP (pg_hba scram-sha-256).</summary>
    public const string PasswordGroup = "egress_password_login";

    /// <summary>A group .ci/run makes whose members must log in with a password over TLS only (pg_hba hostssl scram-sha-256, hostnossl reject).</summary>
    public const string TlsGroup = "egress_tls_login";

    private readonly List<string> _roles = [];

    private PostgresFixture(string table) => Table = table;

    public string Table { get; }

    private static NpgsqlConnectionStringBuilder Reader => new(PostgresFactAttribute.ConnectionString);

    /// <summary>Runs <paramref name="setup"/> as the superuser, with <c>{t}</c> the table's name and <c>{reader}</c> the ordinary role.</summary>
    public static async Task<PostgresFixture> CreateAsync(string setup)
    {
        var fixture = new PostgresFixture($"e2e_{Guid.NewGuid():N}");
        await AdminAsync(setup.Replace("{t}", fixture.Table, StringComparison.Ordinal).Replace("{reader}", $"\"{Reader.Username}\"", StringComparison.Ordinal));
        return fixture;
    }

    public JsonObject Credentials(string? user = null, string? password = null)
    {
        var reader = Reader;
        var connectArgs = new JsonObject
        {
            ["host"] = reader.Host,
            ["port"] = reader.Port,
            ["dbname"] = reader.Database,
            ["user"] = user ?? reader.Username,
            ["sslmode"] = "disable",
        };
        if (password is not null)
        {
            connectArgs["password"] = password;
        }

        return new JsonObject { ["connect_args"] = connectArgs };
    }

    /// <summary>A login role that must give its password (member of <paramref name="group"/>, by default <see cref="PasswordGroup"/>).</summary>
    public async Task<string> CreatePasswordRoleAsync(string password, string group = PasswordGroup)
    {
        var role = $"e2e_pw_{Guid.NewGuid():N}"[..20];
        _roles.Add(role);
        await AdminAsync($"create role {role} login password '{password}' in role {group}; grant connect on database \"{Reader.Database}\" to {role}; grant select on {Table} to {role};");
        return role;
    }

    /// <summary>
    /// A login role the trust lines of pg_hba let in without a password, allowed to connect and to
    /// read the table; <paramref name="grants"/> then runs as the superuser with <c>{role}</c> its name.
    /// </summary>
    public async Task<string> CreateRoleAsync(string grants = "")
    {
        var role = $"e2e_role_{Guid.NewGuid():N}"[..22];
        _roles.Add(role);
        await AdminAsync($"create role {role} login; grant connect on database \"{Reader.Database}\" to {role}; grant select on {Table} to {role}; {grants.Replace("{role}", role, StringComparison.Ordinal)}");
        return role;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresFactAttribute.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        // drop owned by: it also revokes what a test granted a role (EXECUTE on a function), which drop role would refuse.
        var drops = string.Join(' ', _roles.Select(r => $"drop owned by {r}; revoke connect on database \"{Reader.Database}\" from {r}; drop role if exists {r};"));
        await AdminAsync($"drop table if exists {Table}; drop table if exists {Table}_secret; {drops}");
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresFactAttribute.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
