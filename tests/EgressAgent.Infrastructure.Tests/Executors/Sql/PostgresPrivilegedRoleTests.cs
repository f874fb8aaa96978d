using EgressAgent.Tests.Shared;
using Npgsql;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>
/// Contract §10: a read-only transaction does not contain a superuser (<c>COPY … TO PROGRAM</c>
/// runs in one) nor the roles that read and write the server's files, so a connection whose role
/// is or can become one is refused before the query runs. The login roles are made here through
/// the admin connection, each with a password, and dropped at the end; skipped without a server.
/// </summary>
public sealed class PostgresPrivilegedRoleTests : IAsyncLifetime
{
    private const string Refused = "PrivilegedRole";

    private readonly string _prefix = $"egress_role_{Guid.NewGuid():N}"[..24];
    private readonly string _password = $"pw-{Guid.NewGuid():N}";
    private readonly List<string> _roles = [];
    private readonly List<string> _cleanup = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Grants and throw-away databases first: a role that holds a grant cannot be dropped.
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            await AdminAsync(_cleanup[i]);
        }

        // Members before the groups they belong to.
        for (var i = _roles.Count - 1; i >= 0; i--)
        {
            await AdminAsync($"drop role if exists {_roles[i]}");
        }
    }

    [PostgresFact]
    public async Task A_superuser_is_refused_before_its_query_can_run_a_program_on_the_server()
    {
        var admin = PostgresFactAttribute.AdminConnectionString!;
        var user = new NpgsqlConnectionStringBuilder(admin).Username;
        var marker = Path.Combine(Path.GetTempPath(), $"egress-copy-{Guid.NewGuid():N}");
        var sql = new SqlRun(("pg", "postgres", admin));

        try
        {
            // A read-only transaction lets a superuser run this: only the role check stops it.
            var (kind, message) = SqlRun.Error(await sql.RunAsync(SqlRun.Query("pg", $"copy (select 1) to program 'touch {marker}'")));

            Assert.Equal(Refused, kind);
            Assert.Contains($"Role \"{user}\" is a superuser", message, StringComparison.Ordinal);
            Assert.False(File.Exists(marker), "The program ran on the server");
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [PostgresTheory]
    [InlineData("pg_execute_server_program")]
    [InlineData("pg_write_server_files")]
    [InlineData("pg_read_server_files")]
    [InlineData("pg_signal_backend")]
    public async Task A_member_of_a_server_program_file_or_signal_role_is_refused_naming_the_role_and_the_membership(string serverRole)
    {
        var login = await CreateLoginAsync("member", $"grant {serverRole} to {{0}}");

        var (kind, message) = SqlRun.Error(await RunAsAsync(login, "select 1"));

        Assert.Equal(Refused, kind);
        Assert.Contains($"Role \"{login}\" is a member of {serverRole}", message, StringComparison.Ordinal);
        Assert.DoesNotContain(_password, message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_member_of_a_group_holding_pg_signal_backend_is_refused_before_it_can_signal_another_session()
    {
        var group = await CreateRoleAsync("signalers", "nologin");
        await AdminAsync($"grant pg_signal_backend to {group}");
        var login = await CreateLoginAsync("signaler", $"grant {group} to {{0}}");

        // With the role, this would cancel any non-superuser session on the server.
        var (kind, message) = SqlRun.Error(await RunAsAsync(login, "select pg_cancel_backend(pid) from pg_stat_activity where false"));

        Assert.Equal(Refused, kind);
        Assert.Contains($"Role \"{login}\" is a member of pg_signal_backend", message, StringComparison.Ordinal);
        Assert.Contains("signals to other sessions", message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_plain_role_granted_execute_on_pg_read_file_is_refused_naming_the_function()
    {
        var login = await CreateLoginAsync("reader", "grant execute on function pg_read_file(text) to {0}");
        _cleanup.Add($"revoke execute on function pg_read_file(text) from {login}");

        // No superuser, no pg_read_server_files: only the function grant lets this read the server's files.
        var (kind, message) = SqlRun.Error(await RunAsAsync(login, "select pg_read_file('/etc/hostname')"));

        Assert.Equal(Refused, kind);
        Assert.Contains($"Role \"{login}\" may execute pg_catalog.pg_read_file", message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_function_grant_through_a_noinherit_group_is_refused_too()
    {
        var group = await CreateRoleAsync("lo", "nologin");
        await AdminAsync($"grant execute on function lo_export(oid, text) to {group}");
        _cleanup.Add($"revoke execute on function lo_export(oid, text) from {group}");
        var login = await CreateLoginAsync("lonoinherit", $"alter role {{0}} noinherit; grant {group} to {{0}}");

        var (kind, message) = SqlRun.Error(await RunAsAsync(login, "select 1"));

        Assert.Equal(Refused, kind);
        Assert.Contains("may execute pg_catalog.lo_export", message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Where_dblink_is_installed_a_role_that_may_execute_it_is_refused_and_one_that_may_not_runs()
    {
        // A database of its own: dblink's functions are executable by PUBLIC once created, which
        // would refuse every other test's role in the shared database.
        var database = $"{_prefix}_db";
        await AdminAsync($"create database {database}");
        _cleanup.Add($"drop database if exists {database} with (force)");
        await AdminAsync("create schema links; create extension dblink schema links; revoke execute on all functions in schema links from public", database);
        var login = await CreateLoginAsync("linker", string.Empty);

        var before = SqlRun.Payload(await RunAsAsync(login, "select 1", database));
        await AdminAsync($"grant execute on function links.dblink_exec(text, text) to {login}", database);
        var (kind, message) = SqlRun.Error(await RunAsAsync(login, "select 1", database));

        Assert.Equal("[[1]]", before["rows"]!.ToJsonString());
        Assert.Equal(Refused, kind);
        Assert.Contains($"Role \"{login}\" may execute links.dblink_exec", message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_membership_inherited_through_a_group_is_refused_even_without_inherit()
    {
        var group = await CreateRoleAsync("group", "nologin");
        await AdminAsync($"grant pg_read_server_files to {group}");
        var login = await CreateLoginAsync("noinherit", $"alter role {{0}} noinherit; grant {group} to {{0}}");

        // NOINHERIT only means SET ROLE is needed first, and the query could do that itself.
        var (kind, message) = SqlRun.Error(await RunAsAsync(login, "select pg_read_file('/etc/hostname')"));

        Assert.Equal(Refused, kind);
        Assert.Contains("is a member of pg_read_server_files", message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_role_that_can_become_a_superuser_is_refused()
    {
        var superuser = await CreateRoleAsync("super", "nologin superuser");
        var login = await CreateLoginAsync("climber", $"grant {superuser} to {{0}}");

        var (kind, message) = SqlRun.Error(await RunAsAsync(login, $"set role {superuser}"));

        Assert.Equal(Refused, kind);
        Assert.Contains($"Role \"{login}\" is a superuser or a member of a superuser role", message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task An_ordinary_role_runs_its_query_and_a_grant_made_later_is_seen_on_the_next_query()
    {
        var login = await CreateLoginAsync("plain", string.Empty);

        var before = SqlRun.Payload(await RunAsAsync(login, "select current_user::text"));
        await AdminAsync($"grant pg_write_server_files to {login}");
        var (kind, _) = SqlRun.Error(await RunAsAsync(login, "select current_user::text"));

        Assert.Equal($"""[["{login}"]]""", before["rows"]!.ToJsonString());
        Assert.Equal(Refused, kind);
    }

    private Task<System.Text.Json.Nodes.JsonObject> RunAsAsync(string login, string query, string? database = null)
    {
        // No pooling: a pooled session would keep the role in use when it is dropped.
        var builder = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.AdminConnectionString!)
        {
            Username = login,
            Password = _password,
            Pooling = false,
        };
        if (database is not null)
        {
            builder.Database = database;
        }

        var connectionString = builder.ToString();
        return new SqlRun(("pg", "postgres", connectionString)).RunAsync(SqlRun.Query("pg", query));
    }

    /// <summary>A login role with the test's password; <paramref name="then"/> runs with <c>{0}</c> as its name.</summary>
    private async Task<string> CreateLoginAsync(string name, string then)
    {
        var role = await CreateRoleAsync(name, $"login password '{_password}'");
        if (then.Length > 0)
        {
            await AdminAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, then, role));
        }

        return role;
    }

    private async Task<string> CreateRoleAsync(string name, string options)
    {
        var role = $"{_prefix}_{name}";
        await AdminAsync($"create role {role} {options}");
        _roles.Add(role);
        return role;
    }

    private static async Task AdminAsync(string sql, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.AdminConnectionString!) { Pooling = false };
        if (database is not null)
        {
            builder.Database = database;
        }

        await using var connection = new NpgsqlConnection(builder.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
