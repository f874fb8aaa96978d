using System.Security.Cryptography;
using System.Text;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Infrastructure.ResultStorage;
using Google.Apis.Auth.OAuth2;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace EgressAgent.Infrastructure.Tests.ResultStorage;

/// <summary>
/// GCS has no emulator here, so its V4 signed URLs are checked against an answer computed in this
/// test from Google's documented V4 algorithm (canonical request, <c>GOOG4-RSA-SHA256</c> string to
/// sign, RSA-SHA256 with PKCS#1 v1.5, which is deterministic): with a service account key made here,
/// the provider's URL must be exactly the expected one for the signing time it states (the
/// library's clock cannot be set from outside).
/// </summary>
public sealed class GcsV4SigningTests : IDisposable
{
    private const string Email = "egress-agent@egress-test.iam.gserviceaccount.com";
    private DateTime _signedAt;
    private readonly RSA _key = RSA.Create(2048);

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task A_presigned_url_is_the_documented_V4_signature_of_a_GET_under_the_prefix()
    {
        var before = DateTime.UtcNow.AddSeconds(-1);
        var url = await Store().PresignGetAsync("responses/trace 1", TimeSpan.FromMinutes(15), default);
        _signedAt = DateTime.ParseExact(url.Query.Split("X-Goog-Date=")[1][..16], "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(_signedAt, before, DateTime.UtcNow.AddSeconds(1));

        Assert.Equal(Expected("egress-bucket", "mcd/responses/trace 1", 900), url.AbsoluteUri);
        var signature = Convert.FromHexString(url.Query.Split("X-Goog-Signature=")[1]);
        using var other = RSA.Create(2048);
        Assert.False(other.VerifyData(Encoding.UTF8.GetBytes(StringToSign("egress-bucket", "mcd/responses/trace 1", 900)), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void The_logged_form_of_a_signed_url_has_no_signature()
    {
        _signedAt = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        var logged = SignedUrls.WithoutSignature(new Uri(Expected("egress-bucket", "mcd/x", 60)));

        Assert.Contains("X-Goog-Signature=__redacted__", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(SignatureHex("egress-bucket", "mcd/x", 60), logged, StringComparison.Ordinal);
        Assert.Contains("X-Goog-Credential=", logged, StringComparison.Ordinal);
    }

    private GcsObjectStore Store()
    {
        var credential = new ServiceAccountCredential(new ServiceAccountCredential.Initializer(Email).FromPrivateKey(_key.ExportPkcs8PrivateKeyPem()));
        var signer = UrlSigner.FromCredential(credential);
        var settings = new ResultStorageOptions { Provider = StorageProviders.Gcs, Bucket = "egress-bucket" };
        return new GcsObjectStore(() => throw new InvalidOperationException("no storage client in this test"), () => Task.FromResult(signer), settings, NullLogger<GcsObjectStore>.Instance);
    }

    private string Expected(string bucket, string name, int seconds) =>
        $"https://storage.googleapis.com/{bucket}/{Path(name)}?{Query(seconds)}&X-Goog-Signature={SignatureHex(bucket, name, seconds)}";

    private string SignatureHex(string bucket, string name, int seconds) =>
        Convert.ToHexStringLower(_key.SignData(Encoding.UTF8.GetBytes(StringToSign(bucket, name, seconds)), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    private string StringToSign(string bucket, string name, int seconds)
    {
        var canonicalRequest = $"GET\n/{bucket}/{Path(name)}\n{Query(seconds)}\nhost:storage.googleapis.com\n\nhost\nUNSIGNED-PAYLOAD";
        return $"GOOG4-RSA-SHA256\n{_signedAt:yyyyMMdd'T'HHmmss'Z'}\n{Scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
    }

    // Sorted by name, each name and value percent-encoded (RFC 3986).
    private string Query(int seconds) => string.Join('&', new[]
    {
        ("X-Goog-Algorithm", "GOOG4-RSA-SHA256"),
        ("X-Goog-Credential", $"{Email}/{Scope}"),
        ("X-Goog-Date", _signedAt.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture)),
        ("X-Goog-Expires", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("X-Goog-SignedHeaders", "host"),
    }.Select(p => $"{Uri.EscapeDataString(p.Item1)}={Uri.EscapeDataString(p.Item2)}"));

    private string Scope => $"{_signedAt:yyyyMMdd}/auto/storage/goog4_request";

    private static string Path(string name) => string.Join('/', name.Split('/').Select(Uri.EscapeDataString));
}
