using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors;
using EgressAgent.Infrastructure.Connectors.Sql;

namespace EgressAgent.Infrastructure.Tests.Connectors.Sql;

/// <summary><c>ssl_options</c> PEM material as postgres, redshift and mysql read it (in memory).</summary>
public sealed class TlsMaterialTests
{
    private static CredentialValues Ssl(JsonObject ssl) =>
        CredentialValues.SslOptions(new ConnectionRequest("t", new JsonObject { ["ssl_options"] = ssl }, ReadOnly: true));

    [Fact]
    public void Ca_data_is_the_set_of_authorities_unless_verification_is_skipped_or_tls_disabled()
    {
        using var ca = NewCa();
        var pem = ca.ExportCertificatePem();

        var authorities = TlsMaterial.Authorities(Ssl(new JsonObject { ["ca_data"] = pem }));

        Assert.Equal(ca.Thumbprint, Assert.Single(authorities!).Thumbprint);
        Assert.Null(TlsMaterial.Authorities(Ssl(new JsonObject { ["ca_data"] = pem, ["skip_cert_verification"] = true })));
        Assert.Null(TlsMaterial.Authorities(Ssl(new JsonObject { ["ca_data"] = pem, ["disabled"] = "yes" })));
        Assert.Null(TlsMaterial.Authorities(Ssl([])));
    }

    [Fact]
    public void A_server_certificate_must_chain_to_the_given_ca_and_name_the_host()
    {
        using var ca = NewCa();
        using var other = NewCa();
        using var server = Issue(ca, "CN=db.example");
        var authorities = new X509Certificate2Collection(ca);

        Assert.True(TlsMaterial.IssuedBy(authorities, server, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(TlsMaterial.IssuedBy(new X509Certificate2Collection(other), server, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(TlsMaterial.IssuedBy(authorities, server, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(TlsMaterial.IssuedBy(authorities, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void Cert_data_and_key_data_are_the_client_certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var client = new CertificateRequest("CN=agent", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        using var read = TlsMaterial.ClientCertificate(Ssl(new JsonObject { ["cert_data"] = client.ExportCertificatePem(), ["key_data"] = key.ExportPkcs8PrivateKeyPem() }));

        Assert.Equal(client.Thumbprint, read!.Thumbprint);
        Assert.True(read.HasPrivateKey);
        Assert.Null(TlsMaterial.ClientCertificate(Ssl([])));
    }

    [Theory]
    [InlineData("""{"ca_data": "not a certificate"}""", "ssl_options.ca_data holds no PEM certificate")]
    [InlineData("""{"ca_data": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}""", "ssl_options.ca_data is not a PEM certificate")]
    [InlineData("""{"cert_data": "-----BEGIN CERTIFICATE-----"}""", "ssl_options.cert_data and key_data go together")]
    [InlineData("""{"key_data": "-----BEGIN PRIVATE KEY-----"}""", "ssl_options.cert_data and key_data go together")]
    [InlineData("""{"cert_data": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "key_data": "k"}""", "ssl_options.cert_data and key_data are not a PEM certificate and its private key")]
    public void Material_that_cannot_be_used_is_a_credentials_error_naming_the_key(string ssl, string message)
    {
        var values = Ssl(JsonNode.Parse(ssl)!.AsObject());

        var failure = Assert.Throws<OperationFailedException>(() => (object?)TlsMaterial.Authorities(values) ?? TlsMaterial.ClientCertificate(values));

        Assert.Equal(ConnectorErrorKinds.CredentialsError, failure.Kind);
        Assert.Equal(message, failure.Message);
    }

    private static X509Certificate2 NewCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=egress test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        return request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);
    }
}
