using EgressAgent.Tests.Shared;
using Npgsql;
using Xunit.Abstractions;
using static EgressAgent.EndToEnd.Tests.Connectors.CommandsPrograms;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>
/// Contract §10 "Read-only SQL in fact, not by convention" for PostgreSQL, through the real agent
/// process and the orchestrator's connector programs against the real server .ci/run starts
/// (docs/adr/0019): a role that could signal other sessions or may execute a function reaching
/// outside the transaction is refused with a <c>PrivilegedRole</c> result before its query runs,
/// a plain role runs; and what a plain role can still do — signal sessions of its own role, never
/// another's — is what docs/connectors.md (<c>postgres</c>) says.
/// </summary>
public sealed class PostgresReadOnlyRefusalTests(ITestOutputHelper output)
{
    private const string Program = ConnectorRun.Execute + "postgres/read_only";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [PostgresFact]
    public async Task A_signal_role_and_a_pg_read_file_grantee_are_refused_before_their_query_runs_and_a_plain_role_runs()
    {
        await using var fixture = await PostgresFixture.CreateAsync("create table {t} (id int); insert into {t} values (1), (2); grant select on {t} to {reader};");
        var signaller = await fixture.CreateRoleAsync("grant pg_signal_backend to {role};");
        var fileReader = await fixture.CreateRoleAsync("grant execute on function pg_catalog.pg_read_file(text) to {role};");
        var plain = await fixture.CreateRoleAsync();
        await using var victim = await OpenAsAsync(await fixture.CreateRoleAsync());
        var victimPid = victim.ProcessID;

        // Each query is what its role could do if it ran: terminate another role's session, read a
        // file of the server's data directory (which EXECUTE on pg_read_file alone allows).
        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["signal"] = new(Program, Standard($"select pg_terminate_backend({victimPid})"), fixture.Credentials(signaller)),
            ["read-file"] = new(Program, Standard("select pg_read_file('PG_VERSION')"), fixture.Credentials(fileReader)),
            ["plain"] = new(Program, Standard($"select count(*) as n from {fixture.Table}"), fixture.Credentials(plain)),
        });

        Assert.Equal(
            $"Role \"{signaller}\" is a member of pg_signal_backend, which a read-only transaction cannot contain (signals to other sessions); connect as a role without these privileges",
            Error(run["signal"], "PrivilegedRole"));
        Assert.StartsWith(
            $"Role \"{fileReader}\" may execute pg_catalog.pg_read_file, which a read-only transaction cannot contain (server files, large objects, connections to other servers)",
            Error(run["read-file"], "PrivilegedRole"), StringComparison.Ordinal);
        Assert.Equal("[[2]]", Payload(run["plain"])["all_results"]!.ToJsonString(Plain));
        // The refused query never ran: the session it named is still there and answers.
        Assert.Equal(1L, await ScalarAsync(victim, "select 1"));
    }

    [PostgresFact]
    public async Task A_plain_read_only_session_cannot_terminate_another_roles_session_but_can_terminate_one_of_its_own_role_as_documented()
    {
        await using var fixture = await PostgresFixture.CreateAsync("create table {t} (id int); grant select on {t} to {reader};");
        var agentRole = await fixture.CreateRoleAsync();
        await using var otherRoles = await OpenAsAsync(await fixture.CreateRoleAsync());
        await using var sameRoles = await OpenAsAsync(agentRole);
        var otherPid = otherRoles.ProcessID;
        var samePid = sameRoles.ProcessID;

        var run = await ConnectorRun.RunAsync(output, new Dictionary<string, ConnectorOperation>
        {
            ["other"] = new(Program, Standard($"select pg_terminate_backend({otherPid})"), fixture.Credentials(agentRole)),
            ["same"] = new(Program, Standard($"select pg_terminate_backend({samePid})"), fixture.Credentials(agentRole)),
        });

        // Another role's session: refused by the server (42501), and it lives on.
        Error(run["other"], "InsufficientPrivilege");
        Assert.Equal("42501", run["other"]["__mcd_error_attrs__"]!["sqlstate"]!.GetValue<string>());
        Assert.Equal(1L, await ScalarAsync(otherRoles, "select 1"));
        // A session of the agent's own role: PostgreSQL lets any role signal its own sessions and
        // no privilege takes that away, inside a read-only transaction too — docs/connectors.md
        // says so and tells operators not to share the agent's role. This pins that sentence.
        Assert.Equal("[[true]]", Payload(run["same"])["all_results"]!.ToJsonString(Plain));
        await WaitUntilGoneAsync(fixture, samePid);
    }

    /// <summary>A session of <paramref name="role"/> of the test's own, outside the agent (disposed before the fixture drops the role).</summary>
    private static async Task<NpgsqlConnection> OpenAsAsync(string role)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString) { Username = role, Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilGoneAsync(PostgresFixture fixture, int pid)
    {
        // pg_terminate_backend signals and returns; the backend exits a moment later.
        var deadline = DateTimeOffset.UtcNow + Bound;
        while (await fixture.ScalarAsync($"select count(*) from pg_stat_activity where pid = {pid}") > 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Backend {pid} was still there {Bound} after it was terminated.");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
