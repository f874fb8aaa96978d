using System.Net;
using EgressAgent.Application.ResultStorage;
using Google;
using Google.Apis.Auth.OAuth2;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.ResultStorage;

/// <summary>
/// <c>GCS</c> (docs/protocol.md §13) over Google.Cloud.Storage.V1 with the application default
/// credentials. Uploads are resumable uploads sent in parts of the configured size, so a stream of
/// any length costs one part of memory; a session that fails is never finalised (nothing appears at
/// the key) and Google drops it after a week. Pre-signed URLs are V4 signed URLs
/// (<c>GOOG4-RSA-SHA256</c>), signed with the service account's key, or through the IAM
/// <c>signBlob</c> API for a workload or compute identity. Not in the native agent (docs/adr/0048).
/// </summary>
internal sealed partial class GcsObjectStore : IObjectStore, IDisposable
{
    /// <summary>Resumable uploads take chunks in multiples of 256 KiB.</summary>
    private const int ChunkUnit = 256 * 1024;
    private readonly Lazy<Task<StorageClient>> _client;
    private readonly Lazy<Task<UrlSigner>> _signer;
    private readonly string _bucket;
    private readonly ObjectKeys _keys;
    private readonly int _chunkSize;
    private readonly ILogger<GcsObjectStore> _logger;

    internal GcsObjectStore(Func<Task<StorageClient>> client, Func<Task<UrlSigner>> signer, ResultStorageOptions settings, ILogger<GcsObjectStore> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _client = new Lazy<Task<StorageClient>>(client);
        _signer = new Lazy<Task<UrlSigner>>(signer);
        _bucket = settings.Bucket!;
        _keys = new ObjectKeys(settings.Prefix);
        _chunkSize = Math.Max(ChunkUnit, settings.PartSize / ChunkUnit * ChunkUnit);
        _logger = logger;
    }

    public string Provider => StorageProviders.Gcs;

    public static GcsObjectStore WithDefaultCredentials(ResultStorageOptions settings, ILogger<GcsObjectStore> logger) =>
        new(() => StorageClient.CreateAsync(),
            async () => UrlSigner.FromCredential(await GoogleCredential.GetApplicationDefaultAsync().ConfigureAwait(false)),
            settings,
            logger);

    public async Task<long> UploadAsync(string key, System.IO.Stream content, string contentType, CancellationToken cancellationToken)
    {
        var client = await ClientAsync().ConfigureAwait(false);
        var counted = new CountingReadStream(content);
        await CallAsync("upload", () => client.UploadObjectAsync(_bucket, _keys.Full(key), contentType, counted, new UploadObjectOptions { ChunkSize = _chunkSize }, cancellationToken)).ConfigureAwait(false);
        return counted.BytesRead;
    }

    public async Task<Uri> PresignGetAsync(string key, TimeSpan expiration, CancellationToken cancellationToken)
    {
        var signer = await SignerAsync().ConfigureAwait(false);
        var url = new Uri(await CallAsync("sign", () => signer.SignAsync(_bucket, _keys.Full(key), expiration, HttpMethod.Get, SigningVersion.V4, cancellationToken)).ConfigureAwait(false));
        LogPresigned(_logger, SignedUrls.WithoutSignature(url), expiration);
        return url;
    }

    public async Task<ObjectPage> ListAsync(ObjectListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var client = await ClientAsync().ConfigureAwait(false);
        var options = new ListObjectsOptions { Delimiter = query.Delimiter, PageToken = query.ContinuationToken, PageSize = query.BatchSize };
        var page = await CallAsync("list", () => client.ListObjectsAsync(_bucket, _keys.ListPrefix(query.Prefix), options).ReadPageAsync(query.BatchSize ?? 1000, cancellationToken)).ConfigureAwait(false);
        var objects = page
            .Select(o => new StoredObjectInfo(_keys.Relative(o.Name), (long)(o.Size ?? 0), o.ETag, o.UpdatedDateTimeOffset))
            .ToList();
        return new ObjectPage(objects, string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken);
    }

    /// <summary>The object downloaded into a temporary file that is deleted when the stream is closed: bounded memory at any size.</summary>
    public async Task<System.IO.Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var client = await ClientAsync().ConfigureAwait(false);
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await CallAsync("GET", () => client.DownloadObjectAsync(_bucket, _keys.Full(key), file, cancellationToken: cancellationToken)).ConfigureAwait(false);
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var client = await ClientAsync().ConfigureAwait(false);
        try
        {
            await CallAsync("DELETE", async () =>
            {
                await client.DeleteObjectAsync(_bucket, _keys.Full(key), cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            // Already gone.
        }
    }

    /// <summary>Private when public access prevention is enforced, or no IAM binding names <c>allUsers</c> or <c>allAuthenticatedUsers</c>.</summary>
    public async Task<bool> IsPrivateAsync(CancellationToken cancellationToken)
    {
        var client = await ClientAsync().ConfigureAwait(false);
        var bucket = await CallAsync("bucket", () => client.GetBucketAsync(_bucket, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (string.Equals(bucket.IamConfiguration?.PublicAccessPrevention, "enforced", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var policy = await CallAsync("IAM policy", () => client.GetBucketIamPolicyAsync(_bucket, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return !(policy.Bindings ?? []).Any(b => (b.Members ?? []).Any(m => m is "allUsers" or "allAuthenticatedUsers"));
    }

    public void Dispose()
    {
        if (_client.IsValueCreated && _client.Value.IsCompletedSuccessfully)
        {
            _client.Value.Result.Dispose();
        }
    }

    private Task<StorageClient> ClientAsync() => CallAsync("client", () => _client.Value);

    private Task<UrlSigner> SignerAsync() => CallAsync("signer", () => _signer.Value);

    private async Task<T> CallAsync<T>(string step, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (GoogleApiException ex) when (ex.HttpStatusCode == HttpStatusCode.NotFound && step is "GET" or "DELETE")
        {
            throw new ObjectNotFoundException($"{Provider} {step}: no such object", ex);
        }
        catch (GoogleApiException ex)
        {
            throw new ObjectStoreException($"{Provider} {step} failed: {ex.Error?.Message ?? "error"} (HTTP {(int)ex.HttpStatusCode})", ex);
        }
        catch (InvalidOperationException ex)
        {
            // No default credentials, or ones that cannot sign: Google's message names where it looked, never a key.
            throw new ObjectStoreException($"{Provider} {step} failed: {ex.Message}", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "GCS: pre-signed GET {Url} for {Expiration}")]
    private static partial void LogPresigned(ILogger logger, string url, TimeSpan expiration);
}
