using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Domain.Text;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.ResultStorage;

/// <summary>
/// <c>S3</c> and <c>S3Compatible</c> (docs/protocol.md §13) over the AWS SDK. A stream that fits
/// one part is one PUT; a longer one is a multipart upload, one part in memory at a time, aborted
/// when anything fails so no unfinished upload (and its billed parts) stays behind; one a killed
/// process could not abort is aborted by the next multipart upload of the same key. Pre-signed
/// URLs are SigV4 query signatures (<c>X-Amz-Signature</c>).
/// </summary>
internal sealed partial class S3ObjectStore : IObjectStore, IDisposable
{
    private const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
    private const string AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly ObjectKeys _keys;
    private readonly int _partSize;
    private readonly bool _http;
    private readonly ILogger<S3ObjectStore> _logger;

    /// <summary>The multipart uploads this process has under way: never leftovers, whatever their key.</summary>
    private readonly ConcurrentDictionary<string, byte> _ownUploads = new(StringComparer.Ordinal);

    /// <summary>1 once a failed listing of leftovers was logged as a warning: the next ones are debug lines.</summary>
    private int _leftoverListingWarned;

    public S3ObjectStore(IAmazonS3 client, ResultStorageOptions settings, ILogger<S3ObjectStore> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _client = client;
        _bucket = settings.Bucket!;
        _keys = new ObjectKeys(settings.Prefix);
        _partSize = settings.PartSize;
        _http = settings.EndpointUrl is { } endpoint && endpoint.StartsWith("http:", StringComparison.OrdinalIgnoreCase);
        Provider = settings.ProviderName ?? StorageProviders.S3;
        _logger = logger;
    }

    public string Provider { get; }

    public async Task<long> UploadAsync(string key, System.IO.Stream content, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var fullKey = _keys.Full(key);
        var buffer = ArrayPool<byte>.Shared.Rent(_partSize);
        try
        {
            // The pool may hand out a larger array: a part is _partSize bytes of it.
            var filled = await PartReader.FillAsync(content, buffer.AsMemory(0, _partSize), cancellationToken).ConfigureAwait(false);
            if (filled < _partSize)
            {
                await CallAsync("PUT", () => _client.PutObjectAsync(
                    new PutObjectRequest
                    {
                        BucketName = _bucket,
                        Key = fullKey,
                        InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                        ContentType = contentType,
                        AutoCloseStream = true,
                        UseChunkEncoding = false, // the part is in memory: one signed body, which every S3-compatible server reads
                    },
                    cancellationToken)).ConfigureAwait(false);
                return filled;
            }

            return await MultipartAsync(fullKey, content, contentType, buffer, filled, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<Uri> PresignGetAsync(string key, TimeSpan expiration, CancellationToken cancellationToken)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _bucket,
            Key = _keys.Full(key),
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow.Add(expiration),
            Protocol = _http ? Protocol.HTTP : Protocol.HTTPS,
        };
        var url = new Uri(await CallAsync("presign", () => _client.GetPreSignedURLAsync(request)).ConfigureAwait(false));
        LogPresigned(_logger, Provider, SignedUrls.WithoutSignature(url), expiration);
        return url;
    }

    public async Task<ObjectPage> ListAsync(ObjectListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var response = await CallAsync("list", () => _client.ListObjectsV2Async(
            new ListObjectsV2Request
            {
                BucketName = _bucket,
                Prefix = _keys.ListPrefix(query.Prefix),
                MaxKeys = query.BatchSize,
                ContinuationToken = query.ContinuationToken,
                Delimiter = query.Delimiter,
            },
            cancellationToken)).ConfigureAwait(false);
        var objects = (response.S3Objects ?? [])
            .Select(o => new StoredObjectInfo(_keys.Relative(o.Key), o.Size ?? 0, o.ETag, o.LastModified is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null))
            .ToList();
        return new ObjectPage(objects, response.IsTruncated == true ? response.NextContinuationToken : null);
    }

    public async Task<System.IO.Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var response = await CallAsync("GET", () => _client.GetObjectAsync(_bucket, _keys.Full(key), cancellationToken)).ConfigureAwait(false);
        return response.ResponseStream;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        CallAsync("DELETE", () => _client.DeleteObjectAsync(_bucket, _keys.Full(key), cancellationToken));

    /// <summary>
    /// Private when the bucket's public access block has all four settings on; otherwise when no
    /// bucket policy is public and no ACL grant names all users or all authenticated users.
    /// </summary>
    public async Task<bool> IsPrivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            var block = await _client.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = _bucket }, cancellationToken).ConfigureAwait(false);
            if (block.PublicAccessBlockConfiguration is { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true })
            {
                return true;
            }
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchPublicAccessBlockConfiguration")
        {
            // No block: the policy and the ACL decide.
        }
        catch (AmazonServiceException ex)
        {
            throw Failure("public access block", ex);
        }

        try
        {
            var status = await _client.GetBucketPolicyStatusAsync(new GetBucketPolicyStatusRequest { BucketName = _bucket }, cancellationToken).ConfigureAwait(false);
            if (status.PolicyStatus?.IsPublic == true)
            {
                return false;
            }
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucketPolicy")
        {
            // No policy: the ACL decides.
        }
        catch (AmazonServiceException ex)
        {
            throw Failure("policy status", ex);
        }

        var acl = await CallAsync("ACL", () => _client.GetBucketAclAsync(new GetBucketAclRequest { BucketName = _bucket }, cancellationToken)).ConfigureAwait(false);
        return !(acl.Grants ?? []).Any(g => g.Grantee?.URI is AllUsers or AuthenticatedUsers);
    }

    public void Dispose() => _client.Dispose();

    private async Task<long> MultipartAsync(string fullKey, System.IO.Stream content, string contentType, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        await AbortLeftoversAsync(fullKey, cancellationToken).ConfigureAwait(false);
        var started = await CallAsync("multipart start", () => _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _bucket, Key = fullKey, ContentType = contentType },
            cancellationToken)).ConfigureAwait(false);
        var uploadId = started.UploadId;
        _ownUploads.TryAdd(uploadId, 0);
        var parts = new List<PartETag>();
        long total = 0;
        try
        {
            while (filled > 0)
            {
                var number = parts.Count + 1;
                var length = filled;
                var uploaded = await CallAsync("multipart part", () => _client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = _bucket,
                        Key = fullKey,
                        UploadId = uploadId,
                        PartNumber = number,
                        PartSize = length,
                        InputStream = new MemoryStream(buffer, 0, length, writable: false),
                        UseChunkEncoding = false,
                    },
                    cancellationToken)).ConfigureAwait(false);
                parts.Add(new PartETag(number, uploaded.ETag));
                total += length;
                filled = await PartReader.FillAsync(content, buffer.AsMemory(0, _partSize), cancellationToken).ConfigureAwait(false);
            }

            await CallAsync("multipart complete", () => _client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = _bucket, Key = fullKey, UploadId = uploadId, PartETags = parts },
                cancellationToken)).ConfigureAwait(false);
            LogMultipartDone(_logger, Provider, parts.Count, total);
            return total;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await AbortAsync(fullKey, uploadId).ConfigureAwait(false);
            throw;
        }
        finally
        {
            _ownUploads.TryRemove(uploadId, out _);
        }
    }

    /// <summary>
    /// Aborts the unfinished multipart uploads of exactly <paramref name="fullKey"/> that this
    /// process has not under way: those of a process killed mid-upload (docs/protocol.md §13, kill -9
    /// at any moment), which could not abort its own and whose parts stay billed until the bucket's
    /// lifecycle rule (if any) removes them. The result is uploaded again to the same key, so the
    /// next attempt is where they are found. Best effort: a store that cannot list them (no
    /// <c>s3:ListBucketMultipartUploads</c> permission, a server without the call) is logged and the
    /// upload goes on.
    /// </summary>
    private async Task AbortLeftoversAsync(string fullKey, CancellationToken cancellationToken)
    {
        IEnumerable<MultipartUpload> leftovers;
        try
        {
            // The prefix also matches longer keys ("responses/t-1" lists "responses/t-10"): exactly this one is kept.
            var listed = await _client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = fullKey }, cancellationToken).ConfigureAwait(false);
            leftovers = (listed.MultipartUploads ?? []).Where(u => u.Key == fullKey && !_ownUploads.ContainsKey(u.UploadId)).ToList();
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            if (Interlocked.Exchange(ref _leftoverListingWarned, 1) == 0)
            {
                LogLeftoversNotListed(_logger, Provider, Describe(ex));
            }
            else
            {
                LogLeftoversNotListedAgain(_logger, Provider, Describe(ex));
            }

            return;
        }

        foreach (var leftover in leftovers)
        {
            await AbortAsync(fullKey, leftover.UploadId).ConfigureAwait(false);
        }
    }

    // Not the caller's token: a cancelled upload must still be aborted, or its parts stay billed.
    private async Task AbortAsync(string fullKey, string uploadId)
    {
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = fullKey, UploadId = uploadId }, bound.Token).ConfigureAwait(false);
            LogAborted(_logger, Provider);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or OperationCanceledException or HttpRequestException)
        {
            LogAbortFailed(_logger, Provider, Describe(ex));
        }
    }

    private async Task<T> CallAsync<T>(string step, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonServiceException ex)
        {
            throw Failure(step, ex);
        }
        catch (AmazonClientException ex)
        {
            throw new ObjectStoreException($"{Provider} {step} failed: {Describe(ex)}", ex);
        }
    }

    private ObjectStoreException Failure(string step, AmazonServiceException ex) =>
        ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is "NoSuchKey" or "NotFound"
            ? new ObjectNotFoundException($"{Provider} {step}: no such object", ex)
            : new ObjectStoreException($"{Provider} {step} failed: {Describe(ex)}", ex);

    /// <summary>The store's error code and status, or the exception's type and message (the SDK never puts a key or signature there).</summary>
    private static string Describe(Exception ex) => ex switch
    {
        AmazonServiceException service when !string.IsNullOrEmpty(service.ErrorCode) => $"{service.ErrorCode} (HTTP {(int)service.StatusCode})",
        _ => $"{ex.GetType().Name}: {SecretNames.WithoutUrlCredentials(ex.InnerException?.Message ?? ex.Message)}",
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider}: pre-signed GET {Url} for {Expiration}")]
    private static partial void LogPresigned(ILogger logger, string provider, string url, TimeSpan expiration);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider}: multipart upload of {Parts} parts, {Bytes} bytes, completed")]
    private static partial void LogMultipartDone(ILogger logger, string provider, int parts, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider}: an unfinished multipart upload was aborted")]
    private static partial void LogAborted(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider}: unfinished multipart uploads left by an earlier attempt could not be listed ({Reason}); the upload goes on, and the bucket's lifecycle rule for incomplete uploads removes any (further failures to list are debug lines)")]
    private static partial void LogLeftoversNotListed(ILogger logger, string provider, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider}: unfinished multipart uploads left by an earlier attempt could not be listed ({Reason}); the upload goes on")]
    private static partial void LogLeftoversNotListedAgain(ILogger logger, string provider, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider}: aborting an unfinished multipart upload failed ({Reason}); the bucket's lifecycle rule for incomplete uploads removes it")]
    private static partial void LogAbortFailed(ILogger logger, string provider, string reason);
}
