using EgressAgent.Application.ResultStorage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.ResultStorage;

/// <summary>
/// The configured provider, made on first use (no network at start: the cloud credential chains
/// are asked when the first request needs them). Validation already refused a provider without
/// its settings (exit 2), so here every configured provider can be built — GCS only in the JIT
/// build: the native agent leaves Google's client out and refuses the provider at start (docs/adr/0048).
/// </summary>
internal sealed class ObjectStoreSource(IOptions<ResultStorageOptions> options, ILoggerFactory loggerFactory) : IObjectStoreSource, IDisposable
{
    private readonly Lazy<IObjectStore?> _store = new(() => Create(options.Value, loggerFactory));

    public IObjectStore? Store => _store.Value;

    public void Dispose()
    {
        if (_store.IsValueCreated && _store.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private static IObjectStore? Create(ResultStorageOptions settings, ILoggerFactory loggerFactory) => settings.ProviderName switch
    {
        StorageProviders.S3 or StorageProviders.S3Compatible => new S3ObjectStore(S3Clients.Create(settings), settings, loggerFactory.CreateLogger<S3ObjectStore>()),
        StorageProviders.AzureBlob => new AzureBlobObjectStore(AzureBlobClients.Create(settings), settings, loggerFactory.CreateLogger<AzureBlobObjectStore>()),
#if GCS_PROVIDER
        StorageProviders.Gcs => GcsObjectStore.WithDefaultCredentials(settings, loggerFactory.CreateLogger<GcsObjectStore>()),
#endif
        _ => null,
    };
}
