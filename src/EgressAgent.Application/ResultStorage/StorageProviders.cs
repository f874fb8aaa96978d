namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// The values of <c>EgressAgent:Results:Storage:Provider</c> (docs/protocol.md §13), and the
/// reference agent's <c>MCD_STORAGE</c> spellings of them.
/// </summary>
public static class StorageProviders
{
    public const string S3 = "S3";
    public const string S3Compatible = "S3Compatible";
    public const string AzureBlob = "AzureBlob";
    public const string Gcs = "GCS";

    public static IReadOnlyList<string> All { get; } = [S3, S3Compatible, AzureBlob, Gcs];

    /// <summary>Our name for a provider given as ours or as the reference's (<c>S3_COMPATIBLE</c>, <c>AZURE_BLOB</c>), any case; null for anything else.</summary>
    public static string? Normalize(string? value) => value?.Trim().Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant() switch
    {
        "S3" => S3,
        "S3COMPATIBLE" => S3Compatible,
        "AZUREBLOB" => AzureBlob,
        "GCS" => Gcs,
        _ => null,
    };
}
