using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using EgressAgent.Application.ResultStorage;

namespace EgressAgent.Infrastructure.ResultStorage;

/// <summary>
/// The blob service client for <c>AzureBlob</c>: the account key when configured (URLs are then
/// service SAS), otherwise the default Azure credential — a service principal from
/// <c>AZURE_TENANT_ID</c>/<c>AZURE_CLIENT_ID</c>/<c>AZURE_CLIENT_SECRET</c>, workload identity or a
/// managed identity (URLs are then user-delegation SAS). The endpoint defaults to the public cloud's.
/// </summary>
internal static class AzureBlobClients
{
    public static BlobServiceClient Create(ResultStorageOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var endpoint = new Uri(settings.EndpointUrl ?? $"https://{settings.AccountName}.blob.core.windows.net");
        var options = new BlobClientOptions();
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        return string.IsNullOrEmpty(settings.AccountKey)
            ? new BlobServiceClient(endpoint, new DefaultAzureCredential(new DefaultAzureCredentialOptions { ExcludeInteractiveBrowserCredential = true }), options)
            : new BlobServiceClient(endpoint, new StorageSharedKeyCredential(settings.AccountName, settings.AccountKey), options);
    }
}
