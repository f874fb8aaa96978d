using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EgressAgent.Infrastructure.Tests.Connectors.MySql;

/// <summary>A self-signed CA made in memory for tests that need PEM material.</summary>
internal static class TestCertificates
{
    private static readonly Lazy<string> Ca = new(() =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=egress test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    });

    public static string CaPem => Ca.Value;
}
