namespace EgressAgent.Application.ResultStorage;

/// <summary>
/// The configured object store of docs/protocol.md §13 (S3, an S3-compatible server, Azure Blob
/// Storage or Google Cloud Storage), one provider behind this port (docs/adr/0048). Every key is
/// relative to the configured prefix: the store adds it on the way in and strips it on the way out.
/// Failures are <see cref="ObjectStoreException"/>s whose messages carry no credential, signature
/// or SAS token; a missing object is <see cref="ObjectNotFoundException"/>.
/// </summary>
public interface IObjectStore
{
    /// <summary>The provider's configuration name (<c>S3</c>, <c>S3Compatible</c>, <c>AzureBlob</c>, <c>GCS</c>), for logs.</summary>
    string Provider { get; }

    /// <summary>
    /// Writes <paramref name="content"/> (of any length, known or not, read once from where it
    /// stands) to <paramref name="key"/>, replacing what was there. Memory stays bounded: a stream
    /// longer than one part goes up part by part (S3 multipart upload, Azure block list, GCS
    /// resumable upload). An upload that fails or is cancelled is aborted, so no unfinished
    /// upload is left behind where the provider can remove one, and nothing appears at the key.
    /// </summary>
    /// <returns>The number of bytes written.</returns>
    Task<long> UploadAsync(string key, Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>A URL anyone holding it may GET the object with, until <paramref name="expiration"/> from now.</summary>
    Task<Uri> PresignGetAsync(string key, TimeSpan expiration, CancellationToken cancellationToken);

    /// <summary>One page of the objects under <see cref="ObjectListQuery.Prefix"/>.</summary>
    Task<ObjectPage> ListAsync(ObjectListQuery query, CancellationToken cancellationToken);

    /// <summary>The object's bytes, streamed; the caller disposes the stream.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes the object; deleting one that does not exist is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>True when the bucket (container) grants no anonymous public access.</summary>
    Task<bool> IsPrivateAsync(CancellationToken cancellationToken);
}
