using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EgressAgent.Tests.Shared;

/// <summary>
/// Verifies an S3 pre-signed URL's SigV4 query signature against a secret key, computed here from
/// AWS's documented algorithm (canonical request, string to sign, derived signing key) and sharing
/// nothing with the AWS SDK that made it. s3rver does not verify SigV4, so the tests do.
/// </summary>
public static class SigV4PresignedUrl
{
    /// <summary>The query parameters of <paramref name="url"/>, decoded.</summary>
    public static IReadOnlyDictionary<string, string> Parameters(Uri url) => UrlQuery.Parameters(url);

    /// <summary>True when the URL's <c>X-Amz-Signature</c> is the one <paramref name="secretKey"/> gives for a GET of it.</summary>
    public static bool IsSignedWith(Uri url, string secretKey)
    {
        ArgumentNullException.ThrowIfNull(url);
        var parameters = Parameters(url);
        if (!parameters.TryGetValue("X-Amz-Signature", out var signature) || parameters.GetValueOrDefault("X-Amz-Algorithm") != "AWS4-HMAC-SHA256"
            || parameters.GetValueOrDefault("X-Amz-SignedHeaders") != "host")
        {
            return false;
        }

        var credential = parameters["X-Amz-Credential"].Split('/', 2); // <access key>/<date>/<region>/s3/aws4_request
        var scope = credential[1];
        var scopeParts = scope.Split('/');
        var query = string.Join('&', parameters
            .Where(p => p.Key != "X-Amz-Signature")
            .Select(p => (Name: Encode(p.Key), Value: Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
        var host = url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port.ToString(CultureInfo.InvariantCulture)}";
        var canonicalRequest = $"GET\n{url.AbsolutePath}\n{query}\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD";
        var stringToSign = $"AWS4-HMAC-SHA256\n{parameters["X-Amz-Date"]}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), scopeParts[0]);
        key = Hmac(key, scopeParts[1]);
        key = Hmac(key, scopeParts[2]);
        key = Hmac(key, scopeParts[3]);
        var expected = Hex(Hmac(key, stringToSign));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
    }

    /// <summary>The URL with one character of its signature changed: a verifier that accepts it verifies nothing.</summary>
    public static Uri Tampered(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var text = url.ToString();
        var at = text.IndexOf("X-Amz-Signature=", StringComparison.Ordinal) + "X-Amz-Signature=".Length;
        var flipped = text[at] == 'a' ? 'b' : 'a';
        return new Uri(string.Concat(text.AsSpan(0, at), flipped.ToString(), text.AsSpan(at + 1)));
    }

    private static string Encode(string value) => Uri.EscapeDataString(value);

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
