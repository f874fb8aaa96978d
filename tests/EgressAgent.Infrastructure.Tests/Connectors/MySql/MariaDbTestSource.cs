using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Tests.Shared;
using MySqlConnector;

namespace EgressAgent.Infrastructure.Tests.Connectors.MySql;

/// <summary>
/// The MariaDB server of <c>.ci/run</c> seen as the orchestrator sends it: credentials with
/// <c>connect_args</c> (from <see cref="MariaDbFactAttribute"/>'s connection strings), and the
/// admin's connection for fixtures.
/// </summary>
internal static class MariaDbTestSource
{
    /// <summary>The credentials object of the read-only user (or, with <paramref name="admin"/>, the admin), with extra connect_args.</summary>
    public static JsonObject Credentials(bool admin = false, Action<JsonObject>? change = null)
    {
        var source = new MySqlConnectionStringBuilder(admin ? MariaDbFactAttribute.AdminConnectionString : MariaDbFactAttribute.ConnectionString);
        var args = new JsonObject
        {
            ["host"] = source.Server,
            ["port"] = (int)source.Port,
            ["user"] = source.UserID,
            ["password"] = source.Password,
            ["database"] = source.Database,
        };
        change?.Invoke(args);
        return new JsonObject { ["connect_args"] = args };
    }

    public static ConnectionRequest Request(bool readOnly = true, bool admin = false, Action<JsonObject>? change = null, string type = "mariadb") =>
        new(type, Credentials(admin, change), readOnly);

    /// <summary>Runs fixture SQL as the admin.</summary>
    public static async Task AdminAsync(string sql)
    {
        await using var connection = new MySqlConnection(MariaDbFactAttribute.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A single value read as the admin.</summary>
    public static async Task<object?> AdminScalarAsync(string sql)
    {
        await using var connection = new MySqlConnection(MariaDbFactAttribute.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>A name no other test uses, for tables and databases.</summary>
    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
}
