using System.Buffers;
using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using EgressAgent.Application.ResultStorage;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.ResultStorage;

/// <summary>
/// <c>AzureBlob</c> (docs/protocol.md §13): the bucket is a container. A stream that fits one
/// part is one Put Blob; a longer one is staged block by block (one part in memory) and committed
/// as a block list. A failed upload of a new blob is aborted by committing an empty block list,
/// which discards the staged blocks, and deleting that empty blob (Azure has no other way to drop
/// uncommitted blocks; left alone they expire after a week). Pre-signed URLs are read-only SAS
/// for the one blob: service SAS with the account key, user-delegation SAS otherwise.
/// </summary>
internal sealed partial class AzureBlobObjectStore : IObjectStore
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private readonly BlobServiceClient _service;
    private readonly BlobContainerClient _container;
    private readonly ObjectKeys _keys;
    private readonly int _partSize;
    private readonly ILogger<AzureBlobObjectStore> _logger;
    private readonly SemaphoreSlim _delegationKeyLock = new(1, 1);
    private UserDelegationKey? _delegationKey;

    public AzureBlobObjectStore(BlobServiceClient service, ResultStorageOptions settings, ILogger<AzureBlobObjectStore> logger)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(settings);
        _service = service;
        _container = service.GetBlobContainerClient(settings.Bucket);
        _keys = new ObjectKeys(settings.Prefix);
        _partSize = settings.PartSize;
        _logger = logger;
    }

    public string Provider => StorageProviders.AzureBlob;

    public async Task<long> UploadAsync(string key, System.IO.Stream content, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var blob = _container.GetBlockBlobClient(_keys.Full(key));
        var headers = new BlobHttpHeaders { ContentType = contentType };
        var buffer = ArrayPool<byte>.Shared.Rent(_partSize);
        try
        {
            var filled = await PartReader.FillAsync(content, buffer.AsMemory(0, _partSize), cancellationToken).ConfigureAwait(false);
            if (filled < _partSize)
            {
                using var single = new MemoryStream(buffer, 0, filled, writable: false);
                await CallAsync("PUT", () => blob.UploadAsync(single, new BlobUploadOptions { HttpHeaders = headers }, cancellationToken)).ConfigureAwait(false);
                return filled;
            }

            return await BlocksAsync(blob, content, headers, buffer, filled, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<Uri> PresignGetAsync(string key, TimeSpan expiration, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(_keys.Full(key));
        var expiresOn = DateTimeOffset.UtcNow.Add(expiration);
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, expiresOn)
        {
            BlobContainerName = _container.Name,
            BlobName = blob.Name,
            Resource = "b",
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };

        Uri url;
        if (blob.CanGenerateSasUri)
        {
            url = blob.GenerateSasUri(sas);
        }
        else
        {
            var delegationKey = await DelegationKeyAsync(expiresOn, cancellationToken).ConfigureAwait(false);
            url = new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(delegationKey, _service.AccountName) }.ToUri();
        }

        LogPresigned(_logger, SignedUrls.WithoutSignature(url), expiration);
        return url;
    }

    public async Task<ObjectPage> ListAsync(ObjectListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var prefix = _keys.ListPrefix(query.Prefix);
        var objects = new List<StoredObjectInfo>();
        string? next = null;
        try
        {
            if (string.IsNullOrEmpty(query.Delimiter))
            {
                await foreach (var page in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken: cancellationToken)
                    .AsPages(query.ContinuationToken, query.BatchSize).ConfigureAwait(false))
                {
                    objects.AddRange(page.Values.Select(Describe));
                    next = page.ContinuationToken;
                    break;
                }
            }
            else
            {
                await foreach (var page in _container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, query.Delimiter, prefix, cancellationToken: cancellationToken)
                    .AsPages(query.ContinuationToken, query.BatchSize).ConfigureAwait(false))
                {
                    objects.AddRange(page.Values.Where(i => i.IsBlob).Select(i => Describe(i.Blob)));
                    next = page.ContinuationToken;
                    break;
                }
            }
        }
        catch (RequestFailedException ex)
        {
            throw Failure("list", ex);
        }

        return new ObjectPage(objects, string.IsNullOrEmpty(next) ? null : next);
    }

    public async Task<System.IO.Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(_keys.Full(key));
        var download = await CallAsync("GET", () => blob.DownloadStreamingAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
        return download.Value.Content;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        CallAsync("DELETE", () => _container.GetBlobClient(_keys.Full(key)).DeleteIfExistsAsync(cancellationToken: cancellationToken));

    /// <summary>Private when the container allows no anonymous (public) read access.</summary>
    public async Task<bool> IsPrivateAsync(CancellationToken cancellationToken)
    {
        var policy = await CallAsync("access policy", () => _container.GetAccessPolicyAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
        return policy.Value.BlobPublicAccess == PublicAccessType.None;
    }

    private async Task<long> BlocksAsync(BlockBlobClient blob, System.IO.Stream content, BlobHttpHeaders headers, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        var blocks = new List<string>();
        long total = 0;
        try
        {
            while (filled > 0)
            {
                // Block ids of one blob must all have the same length.
                var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(blocks.Count.ToString("D6", CultureInfo.InvariantCulture)));
                using (var part = new MemoryStream(buffer, 0, filled, writable: false))
                {
                    await CallAsync("stage block", () => blob.StageBlockAsync(id, part, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                blocks.Add(id);
                total += filled;
                filled = await PartReader.FillAsync(content, buffer.AsMemory(0, _partSize), cancellationToken).ConfigureAwait(false);
            }

            await CallAsync("commit block list", () => blob.CommitBlockListAsync(blocks, new CommitBlockListOptions { HttpHeaders = headers }, cancellationToken)).ConfigureAwait(false);
            LogBlocksDone(_logger, blocks.Count, total);
            return total;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await AbortAsync(blob).ConfigureAwait(false);
            throw;
        }
    }

    // Not the caller's token: a cancelled upload is still cleaned up. A blob that already existed
    // keeps its content: its staged blocks expire on their own after a week.
    private async Task AbortAsync(BlockBlobClient blob)
    {
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            if (await blob.ExistsAsync(bound.Token).ConfigureAwait(false))
            {
                return;
            }

            var empty = await blob.CommitBlockListAsync([], cancellationToken: bound.Token).ConfigureAwait(false);
            await blob.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = empty.Value.ETag }, cancellationToken: bound.Token).ConfigureAwait(false);
            LogAborted(_logger);
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException or HttpRequestException)
        {
            LogAbortFailed(_logger, ex is RequestFailedException failed ? $"{failed.ErrorCode} (HTTP {failed.Status})" : ex.GetType().Name);
        }
    }

    private async Task<UserDelegationKey> DelegationKeyAsync(DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        await _delegationKeyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_delegationKey is null || _delegationKey.SignedExpiresOn < expiresOn)
            {
                // One key signs every URL for a day (or as long as the longest URL needs, up to the 7 days Azure allows).
                var now = DateTimeOffset.UtcNow;
                var until = expiresOn > now.AddDays(1) ? expiresOn : now.AddDays(1);
                var key = await CallAsync("user delegation key", () => _service.GetUserDelegationKeyAsync(new BlobGetUserDelegationKeyOptions(until) { StartsOn = now - ClockSkew }, cancellationToken)).ConfigureAwait(false);
                _delegationKey = key.Value;
            }

            return _delegationKey;
        }
        finally
        {
            _delegationKeyLock.Release();
        }
    }

    private StoredObjectInfo Describe(BlobItem item) =>
        new(_keys.Relative(item.Name), item.Properties.ContentLength ?? 0, item.Properties.ETag?.ToString(), item.Properties.LastModified);

    private async Task<T> CallAsync<T>(string step, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            throw Failure(step, ex);
        }
        catch (Azure.Identity.AuthenticationFailedException ex)
        {
            throw new ObjectStoreException($"{Provider} {step} failed: no usable Azure credential ({ex.GetType().Name})", ex);
        }
    }

    // The SDK's own message lists request headers and the URL (its query redacted); only the code and status are used.
    private ObjectStoreException Failure(string step, RequestFailedException ex) =>
        ex.Status == 404 && ex.ErrorCode is "BlobNotFound" or null
            ? new ObjectNotFoundException($"{Provider} {step}: no such object", ex)
            : new ObjectStoreException($"{Provider} {step} failed: {ex.ErrorCode ?? "error"} (HTTP {ex.Status})", ex);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AzureBlob: pre-signed GET {Url} for {Expiration}")]
    private static partial void LogPresigned(ILogger logger, string url, TimeSpan expiration);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AzureBlob: block upload of {Blocks} blocks, {Bytes} bytes, committed")]
    private static partial void LogBlocksDone(ILogger logger, int blocks, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "AzureBlob: the staged blocks of an unfinished upload were discarded")]
    private static partial void LogAborted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AzureBlob: discarding the staged blocks of an unfinished upload failed ({Reason}); Azure drops them after a week")]
    private static partial void LogAbortFailed(ILogger logger, string reason);
}
