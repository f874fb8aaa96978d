using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// <c>EgressAgent:Results:Storage</c> (docs/protocol.md §13, docs/adr/0048): where large results
/// and <c>response_type: url</c> results go, and the store of the <c>storage</c> connection type.
/// No <see cref="Provider"/>: no store. The reference's <c>MCD_STORAGE*</c> variables are aliases.
/// </summary>
public sealed class ResultStorageOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Results:Storage";

    /// <summary>The smallest part S3 accepts for every part but the last.</summary>
    public const int MinimumPartSize = 5 * 1024 * 1024;

    /// <summary>A part is held in memory while it goes up: 512 MiB is the most one may take.</summary>
    public const int MaximumPartSize = 512 * 1024 * 1024;

    static string IAgentOptionsSection.SectionName => SectionName;

    /// <summary><c>S3</c>, <c>S3Compatible</c>, <c>AzureBlob</c> or <c>GCS</c> (also <c>S3_COMPATIBLE</c>, <c>AZURE_BLOB</c>); empty: none.</summary>
    public string? Provider { get; set; }

    /// <summary>The bucket (the container for Azure).</summary>
    public string? Bucket { get; set; }

    /// <summary>Every key the agent writes or reads lies under this prefix.</summary>
    public string Prefix { get; set; } = "mcd";

    /// <summary>How long a pre-signed GET URL stays valid (at most 7 days, the longest S3 and GCS sign for).</summary>
    public TimeSpan UrlExpiration { get; set; } = TimeSpan.FromHours(1);

    /// <summary><c>S3Compatible</c>: the server's URL (path-style requests go there); <c>AzureBlob</c>: optional blob service URL (default <c>https://&lt;account&gt;.blob.core.windows.net</c>).</summary>
    public string? EndpointUrl { get; set; }

    /// <summary><c>S3Compatible</c>: the access key id.</summary>
    public string? AccessKey { get; set; }

    /// <summary><c>S3Compatible</c>: the secret access key.</summary>
    public string? SecretKey { get; set; }

    /// <summary><c>S3</c>: the region (default: the credential chain's, e.g. <c>AWS_REGION</c>); <c>S3Compatible</c>: the signing region (default <c>us-east-1</c>).</summary>
    public string? Region { get; set; }

    /// <summary><c>AzureBlob</c>: the storage account.</summary>
    public string? AccountName { get; set; }

    /// <summary><c>AzureBlob</c>: the account key (service SAS); without it the default Azure credential (service principal, workload or managed identity) and user-delegation SAS.</summary>
    public string? AccountKey { get; set; }

    /// <summary>The size of one part of a multipart (block) upload, in bytes: 5 MiB to 512 MiB, default 8 MiB.</summary>
    public int PartSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// How long one upload of a result may take, start to finish; past it the upload is aborted and
    /// retried with backoff like any failed one (docs/adr/0049). Ten minutes carries a 1 GiB result
    /// at under 2 MB/s.
    /// </summary>
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>True when a provider is named.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Provider);

    /// <summary>The provider under our name, null when none or unknown.</summary>
    public string? ProviderName => StorageProviders.Normalize(Provider);
}
