using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>
/// The TLS material of <c>ssl_options</c> (docs/connectors.md) from PEM text, for the drivers that
/// take it from memory (Npgsql for postgres/redshift, MySqlConnector for mysql): nothing is ever
/// written to disk. <c>ca_data</c> is the only trusted root unless <c>skip_cert_verification</c>;
/// <c>cert_data</c> and <c>key_data</c> are a client certificate and go together; none of it is
/// read when <c>disabled</c>. Material that cannot be used is a <c>CredentialsError</c> naming the key.
/// </summary>
internal static class TlsMaterial
{
    /// <summary>The certificates of <c>ca_data</c>, or null when there is none to check the server against.</summary>
    public static X509Certificate2Collection? Authorities(CredentialValues ssl)
    {
        ArgumentNullException.ThrowIfNull(ssl);
        if (ssl.Flag("disabled") || ssl.Flag("skip_cert_verification") || ssl.Text("ca_data") is not { } pem)
        {
            return null;
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            throw CredentialValues.Invalid("ssl_options.ca_data is not a PEM certificate");
        }

        return authorities.Count > 0 ? authorities : throw CredentialValues.Invalid("ssl_options.ca_data holds no PEM certificate");
    }

    /// <summary>The client certificate of <c>cert_data</c> and <c>key_data</c>, or null when neither is given.</summary>
    public static X509Certificate2? ClientCertificate(CredentialValues ssl)
    {
        ArgumentNullException.ThrowIfNull(ssl);
        if (ssl.Flag("disabled"))
        {
            return null;
        }

        var certificatePem = ssl.Text("cert_data");
        var keyPem = ssl.Text("key_data");
        if (certificatePem is null && keyPem is null)
        {
            return null;
        }

        if (certificatePem is null || keyPem is null)
        {
            throw CredentialValues.Invalid("ssl_options.cert_data and key_data go together");
        }

        try
        {
            return X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (CryptographicException)
        {
            throw CredentialValues.Invalid("ssl_options.cert_data and key_data are not a PEM certificate and its private key");
        }
    }

    /// <summary>
    /// A server certificate check against <paramref name="authorities"/> alone (no system roots, no
    /// revocation lookup), for a driver's validation callback: the certificate must name the host
    /// and chain to one of them.
    /// </summary>
    public static bool IssuedBy(X509Certificate2Collection authorities, X509Certificate? presented, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var server = new X509Certificate2(presented);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }
}
