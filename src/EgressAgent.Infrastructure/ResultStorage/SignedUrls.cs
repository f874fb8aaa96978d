namespace EgressAgent.Infrastructure.ResultStorage;

/// <summary>
/// A pre-signed URL as it may be logged (docs/protocol.md §13, docs/adr/0048): everything but the
/// signature and any token riding in the query (S3's <c>X-Amz-Signature</c> and
/// <c>X-Amz-Security-Token</c>, Azure SAS's <c>sig</c>, GCS's <c>X-Goog-Signature</c>), whose
/// values become <c>__redacted__</c>. Holding the rest grants nothing.
/// </summary>
internal static class SignedUrls
{
    private const string Redacted = "__redacted__";
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
                    var name = p.Split('=', 2)[0];
                    return SecretParameters.Contains(Uri.UnescapeDataString(name), StringComparer.OrdinalIgnoreCase) ? $"{name}={Redacted}" : p;
                });
            builder.Query = string.Join('&', parameters);
        }

        return builder.Uri.ToString();
    }
}
