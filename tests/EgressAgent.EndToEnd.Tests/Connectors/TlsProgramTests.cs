using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static EgressAgent.EndToEnd.Tests.Connectors.CommandsPrograms;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>
/// <c>ssl_options</c> (docs/protocol.md §12.4) through the real agent process against the real
/// PostgreSQL and MariaDB servers .ci/run starts with TLS on (its throw-away CA, a server
/// certificate for 127.0.0.1, a client certificate): the CA verifies the server and the server
/// saw TLS; an unrelated CA is refused; <c>skip_cert_verification</c> encrypts without checking;
/// <c>disabled</c> is refused by a TLS-only login; a client certificate logs in where one is
/// required, and its absence does not. In every run the key and the password show nowhere and no
/// file holding a private key appears under the temporary directories.
/// </summary>
public sealed class TlsProgramTests(ITestOutputHelper output)
{
    private const string PgPassword = "pg-tls-password-never-shown-4c1e";
    private const string MyPassword = "mysql-tls-password-never-shown-9a7d";

    // What the server says about this very session's encryption.
    private const string PgSsl = "select ssl, version from pg_stat_ssl where pid = pg_backend_pid()";
    private const string PgClientDn = "select ssl, client_dn from pg_stat_ssl where pid = pg_backend_pid()";
    private const string MySsl = "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'SSL_VERSION'";

    [PostgresTlsFact]
    public async Task Postgres_verifies_the_server_against_ca_data_refuses_an_unrelated_CA_and_skips_verification_when_asked()
    {
        await using var fixture = await PostgresFixture.CreateAsync("create table {t} (id int); insert into {t} values (1);");
        var role = await fixture.CreatePasswordRoleAsync(PgPassword, PostgresFixture.TlsGroup);
        var program = Standard($"select (select count(*) from {fixture.Table}) as n, s.ssl, s.version from pg_stat_ssl s where s.pid = pg_backend_pid()");
        var run = await RunAsync(new Dictionary<string, ConnectorOperation>
        {
            ["ca"] = new(ConnectorRun.Execute + "postgres/x", program, TlsMaterial.With(fixture.Credentials(role, PgPassword), new JsonObject { ["ca_data"] = TlsMaterial.Ca })),
            ["other_ca"] = new(ConnectorRun.Execute + "postgres/x", Standard(PgSsl), TlsMaterial.With(fixture.Credentials(role, PgPassword), new JsonObject { ["ca_data"] = TlsMaterial.OtherCa() })),
            ["skip"] = new(ConnectorRun.Execute + "postgres/x", Standard(PgSsl), TlsMaterial.With(fixture.Credentials(role, PgPassword), new JsonObject { ["ca_data"] = TlsMaterial.OtherCa(), ["skip_cert_verification"] = true })),
        });

        var row = Payload(run["ca"])["all_results"]![0]!.AsArray();
        Assert.Equal(1, row[0]!.GetValue<long>());
        Assert.True(row[1]!.GetValue<bool>(), run["ca"].ToJsonString());
        Assert.StartsWith("TLSv1.", row[2]!.GetValue<string>(), StringComparison.Ordinal);
        Error(run["other_ca"], "ConnectionError");
        Assert.True(Payload(run["skip"])["all_results"]![0]![0]!.GetValue<bool>(), run["skip"].ToJsonString());
        run.AssertNowhere(PgPassword);
    }

    [PostgresTlsFact]
    public async Task Postgres_disabled_is_refused_by_a_TLS_only_role()
    {
        await using var fixture = await PostgresFixture.CreateAsync("create table {t} (id int);");
        var role = await fixture.CreatePasswordRoleAsync(PgPassword, PostgresFixture.TlsGroup);
        var run = await RunAsync(new Dictionary<string, ConnectorOperation>
        {
            ["disabled"] = new(ConnectorRun.Execute + "postgres/x", Standard(PgSsl), TlsMaterial.With(fixture.Credentials(role, PgPassword), new JsonObject { ["disabled"] = true })),

            // The same role with TLS: the refusal above is the missing TLS, not the role.
            ["tls"] = new(ConnectorRun.Execute + "postgres/x", Standard(PgSsl), TlsMaterial.With(fixture.Credentials(role, PgPassword), new JsonObject { ["ca_data"] = TlsMaterial.Ca })),
        });

        var message = Error(run["disabled"], "ConnectionError");
        Assert.Contains("no encryption", message, StringComparison.Ordinal);
        Assert.True(Payload(run["tls"])["all_results"]![0]![0]!.GetValue<bool>());
        run.AssertNowhere(PgPassword);
    }

    [PostgresTlsFact]
    public async Task Postgres_a_client_certificate_logs_in_a_cert_auth_role_and_without_it_the_role_is_refused()
    {
        var role = TlsMaterial.ClientCommonName;
        await using var fixture = await PostgresFixture.CreateAsync($"create table {{t}} (id int); grant select on {{t}} to \"{role}\";");
        var run = await RunAsync(new Dictionary<string, ConnectorOperation>
        {
            ["cert"] = new(ConnectorRun.Execute + "postgres/x", Standard(PgClientDn), TlsMaterial.With(fixture.Credentials(role), new JsonObject
            {
                ["ca_data"] = TlsMaterial.Ca,
                ["cert_data"] = TlsMaterial.ClientCertificate,
                ["key_data"] = TlsMaterial.ClientKey,
            })),
            ["no_cert"] = new(ConnectorRun.Execute + "postgres/x", Standard(PgClientDn), TlsMaterial.With(fixture.Credentials(role), new JsonObject { ["ca_data"] = TlsMaterial.Ca })),
        });

        var row = Payload(run["cert"])["all_results"]![0]!.AsArray();
        Assert.True(row[0]!.GetValue<bool>());
        Assert.Equal($"/CN={role}", row[1]!.GetValue<string>());
        Assert.Contains("certificate", Error(run["no_cert"], "ConnectionError"), StringComparison.Ordinal);
    }

    [MariaDbTlsFact]
    public async Task MariaDb_verifies_the_server_against_ca_data_refuses_an_unrelated_CA_and_skips_verification_when_asked()
    {
        await using var fixture = await MariaDbFixture.CreateAsync("CREATE TABLE {t} (id INT); INSERT INTO {t} VALUES (1);");
        var user = await fixture.CreateUserAsync(MyPassword, "SELECT", require: "SSL");
        var run = await RunAsync(new Dictionary<string, ConnectorOperation>
        {
            ["ca"] = new(ConnectorRun.Execute + "mysql/x", Standard($"SELECT (SELECT COUNT(*) FROM {fixture.Table}) AS n, ({MySsl}) AS tls"), TlsMaterial.With(fixture.Credentials(user, MyPassword), new JsonObject { ["ca_data"] = TlsMaterial.Ca })),
            ["other_ca"] = new(ConnectorRun.Execute + "mariadb/x", Standard(MySsl), TlsMaterial.With(fixture.Credentials(user, MyPassword), new JsonObject { ["ca_data"] = TlsMaterial.OtherCa() })),
            ["skip"] = new(ConnectorRun.Execute + "mariadb/x", Standard(MySsl), TlsMaterial.With(fixture.Credentials(user, MyPassword), new JsonObject { ["ca_data"] = TlsMaterial.OtherCa(), ["skip_cert_verification"] = true })),
        });

        var row = Payload(run["ca"])["all_results"]![0]!.AsArray();
        Assert.Equal(1, row[0]!.GetValue<long>());
        Assert.StartsWith("TLSv1.", row[1]!.GetValue<string>(), StringComparison.Ordinal);
        Error(run["other_ca"], "ConnectionError");
        Assert.StartsWith("TLSv1.", Payload(run["skip"])["all_results"]![0]![0]!.GetValue<string>(), StringComparison.Ordinal);
        run.AssertNowhere(MyPassword);
        run.AssertNowhere(MariaDbFixture.ReaderPassword);
    }

    [MariaDbTlsFact]
    public async Task MariaDb_disabled_is_refused_by_a_REQUIRE_SSL_user()
    {
        await using var fixture = await MariaDbFixture.CreateAsync("CREATE TABLE {t} (id INT);");
        var user = await fixture.CreateUserAsync(MyPassword, "SELECT", require: "SSL");
        var run = await RunAsync(new Dictionary<string, ConnectorOperation>
        {
            ["disabled"] = new(ConnectorRun.Execute + "mysql/x", Standard(MySsl), TlsMaterial.With(fixture.Credentials(user, MyPassword), new JsonObject { ["disabled"] = true })),
            ["tls"] = new(ConnectorRun.Execute + "mysql/x", Standard(MySsl), TlsMaterial.With(fixture.Credentials(user, MyPassword), new JsonObject { ["ca_data"] = TlsMaterial.Ca })),
        });

        Error(run["disabled"], "ConnectionError");
        Assert.StartsWith("TLSv1.", Payload(run["tls"])["all_results"]![0]![0]!.GetValue<string>(), StringComparison.Ordinal);
        run.AssertNowhere(MyPassword);
    }

    [MariaDbTlsFact]
    public async Task MariaDb_a_client_certificate_logs_in_a_REQUIRE_X509_user_and_without_it_the_user_is_refused()
    {
        await using var fixture = await MariaDbFixture.CreateAsync("CREATE TABLE {t} (id INT);");
        var user = await fixture.CreateUserAsync(MyPassword, "SELECT", require: "X509");
        var run = await RunAsync(new Dictionary<string, ConnectorOperation>
        {
            ["cert"] = new(ConnectorRun.Execute + "mysql/x", Standard(MySsl), TlsMaterial.With(fixture.Credentials(user, MyPassword), new JsonObject
            {
                ["ca_data"] = TlsMaterial.Ca,
                ["cert_data"] = TlsMaterial.ClientCertificate,
                ["key_data"] = TlsMaterial.ClientKey,
            })),
            ["no_cert"] = new(ConnectorRun.Execute + "mysql/x", Standard(MySsl), TlsMaterial.With(fixture.Credentials(user, MyPassword), new JsonObject { ["ca_data"] = TlsMaterial.Ca })),
        });

        Assert.StartsWith("TLSv1.", Payload(run["cert"])["all_results"]![0]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Error(run["no_cert"], "ConnectionError");
        run.AssertNowhere(MyPassword);
    }

    /// <summary>One run of the real agent, then the checks every TLS run owes: no key text and no new key file anywhere.</summary>
    private async Task<ConnectorRunResult> RunAsync(IReadOnlyDictionary<string, ConnectorOperation> operations)
    {
        var started = DateTime.UtcNow.AddSeconds(-1); // file times are coarser than the clock on some file systems
        var run = await ConnectorRun.RunAsync(output, operations);
        run.AssertNowhere(TlsMaterial.ClientKeyBody);
        run.AssertNowhere("PRIVATE KEY");
        var keyFiles = TlsMaterial.KeyFilesWrittenSince(started);
        Assert.True(keyFiles.Count == 0, $"Files holding a private key appeared under the temporary directories during the run: {string.Join(", ", keyFiles)}");
        return run;
    }
}
