using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using EgressAgent.Tests.Shared;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>
/// The throw-away PKI .ci/run makes (a CA, a server certificate for 127.0.0.1/localhost, a client
/// certificate signed by the same CA): <c>EGRESS_TEST_TLS_CA</c>, <c>EGRESS_TEST_TLS_CLIENT_CERT</c>
/// and <c>EGRESS_TEST_TLS_CLIENT_KEY</c> name the PEM files; the tests send their text in
/// <c>ssl_options</c>, as the orchestrator does.
/// </summary>
internal static class TlsMaterial
{
    public const string CaVariable = "EGRESS_TEST_TLS_CA";
    public const string ClientCertVariable = "EGRESS_TEST_TLS_CLIENT_CERT";
    public const string ClientKeyVariable = "EGRESS_TEST_TLS_CLIENT_KEY";

    internal const string SkipReason = $"{CaVariable}, {ClientCertVariable} and {ClientKeyVariable} are not all set: no TLS-enabled server to test against (.ci/run makes the certificates and sets them).";

    public static bool Available =>
        new[] { CaVariable, ClientCertVariable, ClientKeyVariable }.All(v => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(v)));

    /// <summary>The CA's certificate (PEM text): the root the servers' certificate chains to.</summary>
    public static string Ca => Read(CaVariable);

    /// <summary>The client certificate (PEM text), signed by <see cref="Ca"/>.</summary>
    public static string ClientCertificate => Read(ClientCertVariable);

    /// <summary>The client certificate's private key (PEM text): it must show nowhere.</summary>
    public static string ClientKey => Read(ClientKeyVariable);

    /// <summary>The client certificate's CN: .ci/run's PostgreSQL role whose pg_hba line is <c>cert</c>.</summary>
    public static string ClientCommonName
    {
        get
        {
            using var certificate = X509Certificate2.CreateFromPem(ClientCertificate);
            return certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        }
    }

    /// <summary>A line from the middle of the key's base64 body: found in any output that copied the key, escaped or not.</summary>
    public static string ClientKeyBody => ClientKey.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) is var lines && lines.Length > 2
        ? lines[lines.Length / 2]
        : throw new InvalidOperationException($"{ClientKeyVariable} holds no PEM key");

    /// <summary>A CA made here, in memory, that signed nothing the servers hold: a server certificate never chains to it.</summary>
    public static string OtherCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=egress-e2e-unrelated-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }

    /// <summary><paramref name="credentials"/> with <c>ssl_options</c> set to <paramref name="ssl"/> and no <c>sslmode</c> in <c>connect_args</c> (the agent's default applies).</summary>
    public static JsonObject With(JsonObject credentials, JsonObject ssl)
    {
        credentials["connect_args"]!.AsObject().Remove("sslmode");
        credentials["ssl_options"] = ssl;
        return credentials;
    }

    /// <summary>
    /// Files under the temporary directories written at or after <paramref name="since"/> whose text holds
    /// <c>PRIVATE KEY</c>: the agent keeps TLS material in memory, so a run adds none. Cheap: only
    /// files written since then (and non-empty: no FIFO is ever opened) are read.
    /// </summary>
    public static IReadOnlyList<string> KeyFilesWrittenSince(DateTime since)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        var roots = new[] { "/tmp", Path.GetTempPath() }.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).Distinct(StringComparer.Ordinal);
        foreach (var root in roots.Where(Directory.Exists))
        {
            foreach (var path in Directory.EnumerateFiles(root, "*", options))
            {
                try
                {
                    var file = new FileInfo(path);
                    if (file.LastWriteTimeUtc >= since && file.Length is > 0 and < 1_000_000 && File.ReadAllText(path).Contains("PRIVATE KEY", StringComparison.Ordinal))
                    {
                        found.Add(path);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Gone or unreadable since it was listed: not the agent's (it runs as this user).
                }
            }
        }

        return [.. found];
    }

    private static string Read(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } path
            ? File.ReadAllText(path)
            : throw new InvalidOperationException($"{variable} is not set: CI=true needs the TLS certificates .ci/run makes, and it did not make them.");
}

/// <summary>A fact that needs the PostgreSQL server .ci/run starts with TLS on: skipped without it, failing under CI=true.</summary>
public sealed class PostgresTlsFactAttribute : FactAttribute
{
    public PostgresTlsFactAttribute()
    {
        if (!(PostgresFactAttribute.Available && TlsMaterial.Available) && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = PostgresFactAttribute.Available ? TlsMaterial.SkipReason : "EGRESS_TEST_POSTGRES and EGRESS_TEST_POSTGRES_ADMIN are not both set: no PostgreSQL server to test against (.ci/run starts one and sets them).";
        }
    }
}

/// <summary>A fact that needs the MariaDB server .ci/run starts with TLS on: skipped without it, failing under CI=true.</summary>
public sealed class MariaDbTlsFactAttribute : FactAttribute
{
    public MariaDbTlsFactAttribute()
    {
        if (!(MariaDbFactAttribute.Available && TlsMaterial.Available) && !MariaDbFactAttribute.InCi)
        {
            Skip = MariaDbFactAttribute.Available ? TlsMaterial.SkipReason : MariaDbFactAttribute.SkipReason;
        }
    }
}
