using System.Security.Cryptography;
using System.Text;

namespace EgressAgent.Tests.Shared;

/// <summary>
/// Verifies an Azure service SAS for one blob against the account key, from the documented string
/// to sign of service SAS (versions 2020-12-06 on: permissions, start, expiry, canonical resource,
/// identifier, IP, protocol, version, resource, snapshot time, encryption scope, then the five
/// response-header overrides), sharing nothing with the Azure SDK that made it.
/// </summary>
public static class ServiceSasUrl
{
    /// <summary>The query parameters of <paramref name="url"/>, decoded.</summary>
    public static IReadOnlyDictionary<string, string> Parameters(Uri url) => UrlQuery.Parameters(url);

    /// <summary>True when <c>sig</c> is the HMAC-SHA256 of the SAS's string to sign under <paramref name="accountKey"/>.</summary>
    public static bool IsSignedWith(Uri url, string account, string accountKey)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(accountKey);
        var p = Parameters(url);
        if (!p.TryGetValue("sig", out var signature))
        {
            return false;
        }

        // The path is /<account>/<container>/<blob> on the emulator, /<container>/<blob> in the cloud.
        var path = Uri.UnescapeDataString(url.AbsolutePath);
        var blobPath = path.StartsWith($"/{account}/", StringComparison.Ordinal) ? path[(account.Length + 1)..] : path;
        string Get(string name) => p.GetValueOrDefault(name, string.Empty);
        var stringToSign = string.Join('\n',
            Get("sp"), Get("st"), Get("se"), $"/blob/{account}{blobPath}", Get("si"), Get("sip"), Get("spr"), Get("sv"), Get("sr"),
            string.Empty, Get("ses"), Get("rscc"), Get("rscd"), Get("rsce"), Get("rscl"), Get("rsct"));
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(accountKey), Encoding.UTF8.GetBytes(stringToSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
    }

    /// <summary>The URL with one character of its signature changed.</summary>
    public static Uri Tampered(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var text = url.ToString();
        var at = text.IndexOf("sig=", StringComparison.Ordinal) + "sig=".Length;
        var flipped = text[at] == 'A' ? 'B' : 'A';
        return new Uri(string.Concat(text.AsSpan(0, at), flipped.ToString(), text.AsSpan(at + 1)));
    }
}
