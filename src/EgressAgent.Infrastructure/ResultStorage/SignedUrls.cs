namespace EgressAgent.Infrastructure.ResultStorage;

/// <summary>
/// A pre-signed URL as it may be logged (docs/protocol.md §13, docs/adr/0048): everything but the
/// signature and any token riding in the query (S3's <c>X-Amz-Signature</c> and
/// <c>X-Amz-Security-Token</c>, Azure SAS's <c>sig</c>, GCS's <c>X-Goog-Signature</c>), whose
/// values become <c>__redacted__</c>, and the access key id at the head of S3's
/// <c>X-Amz-Credential</c> (its date, region and service stay). Holding the rest grants nothing.
/// </summary>
internal static class SignedUrls
{
    private const string Redacted = "__redacted__";
    private const string AmzCredential = "x-amz-credential";
    private static readonly string[] SecretParameters = ["x-amz-signature", "x-amz-security-token", "sig", "x-goog-signature"];

    public static string WithoutSignature(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var builder = new UriBuilder(url) { UserName = string.Empty, Password = string.Empty };
        if (builder.Query.Length > 1)
        {
            var parameters = builder.Query.TrimStart('?').Split('&')
                .Select(p =>
                {
                    var pair = p.Split('=', 2);
                    var name = Uri.UnescapeDataString(pair[0]);
                    if (SecretParameters.Contains(name, StringComparer.OrdinalIgnoreCase))
                    {
                        return $"{pair[0]}={Redacted}";
                    }

                    if (name.Equals(AmzCredential, StringComparison.OrdinalIgnoreCase) && pair.Length > 1)
                    {
                        var scope = Uri.UnescapeDataString(pair[1]).Split('/', 2);
                        return $"{pair[0]}={Redacted}{(scope.Length > 1 ? Uri.EscapeDataString("/" + scope[1]) : string.Empty)}";
                    }

                    return p;
                });
            builder.Query = string.Join('&', parameters);
        }

        return builder.Uri.ToString();
    }
}
