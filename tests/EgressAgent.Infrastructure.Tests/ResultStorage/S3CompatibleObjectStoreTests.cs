using System.Net;
using Amazon.S3;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Infrastructure.ResultStorage;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace EgressAgent.Infrastructure.Tests.ResultStorage;

/// <summary>
/// The S3 provider against a real S3-compatible server (s3rver, started by <c>.ci/run</c>), each
/// test in a bucket of its own. s3rver does not verify SigV4, so every pre-signed URL's signature
/// is verified here against the configured secret (<see cref="SigV4PresignedUrl"/>) before the URL
/// is fetched from the server.
/// </summary>
public sealed class S3CompatibleObjectStoreTests : IAsyncLifetime
{
    private const int PartSize = ResultStorageOptions.MinimumPartSize;
    private readonly string _bucket = $"egress-{Guid.NewGuid():N}"[..30];
    private readonly RecordingHttpClientFactory _http = new();
    private S3ObjectStore _store = null!;
    private IAmazonS3 _admin = null!;

    public async Task InitializeAsync()
    {
        if (!S3CompatibleFactAttribute.Available)
        {
            return;
        }

        _admin = S3Clients.Create(Settings());
        await _admin.PutBucketAsync(_bucket);
        _store = new S3ObjectStore(S3Clients.Create(Settings(), _http), Settings(), NullLogger<S3ObjectStore>.Instance);
    }

    public Task DisposeAsync()
    {
        _store?.Dispose();
        _admin?.Dispose();
        return Task.CompletedTask;
    }

    [S3CompatibleFact]
    public async Task A_presigned_url_carries_a_valid_SigV4_signature_and_the_server_serves_the_object_with_it()
    {
        var content = TestStreams.Bytes(1000);
        Assert.Equal(1000, await _store.UploadAsync("responses/trace-1", new MemoryStream(content), "application/json", default));

        var url = await _store.PresignGetAsync("responses/trace-1", TimeSpan.FromMinutes(10), default);

        Assert.Equal($"/{_bucket}/mcd/responses/trace-1", url.AbsolutePath); // path-style, under the prefix
        var parameters = SigV4PresignedUrl.Parameters(url);
        Assert.InRange(int.Parse(parameters["X-Amz-Expires"], System.Globalization.CultureInfo.InvariantCulture), 600, 601); // the SDK counts from its own signing instant
        Assert.StartsWith(S3CompatibleFactAttribute.AccessKey + "/", parameters["X-Amz-Credential"], StringComparison.Ordinal);
        Assert.True(SigV4PresignedUrl.IsSignedWith(url, S3CompatibleFactAttribute.SecretKey!), "the URL's SigV4 signature is not the secret key's");
        Assert.False(SigV4PresignedUrl.IsSignedWith(url, S3CompatibleFactAttribute.SecretKey + "x"), "the verifier accepted another secret");
        Assert.False(SigV4PresignedUrl.IsSignedWith(SigV4PresignedUrl.Tampered(url), S3CompatibleFactAttribute.SecretKey!), "the verifier accepted a changed signature");

        using var client = new HttpClient();
        Assert.Equal(content, await client.GetByteArrayAsync(url));
    }

    [S3CompatibleFact]
    public async Task The_server_refuses_a_presigned_url_once_it_has_expired()
    {
        await _store.UploadAsync("short", new MemoryStream([1, 2, 3]), "application/octet-stream", default);
        var url = await _store.PresignGetAsync("short", TimeSpan.FromSeconds(1), default);
        Assert.True(SigV4PresignedUrl.IsSignedWith(url, S3CompatibleFactAttribute.SecretKey!));
        Assert.InRange(int.Parse(SigV4PresignedUrl.Parameters(url)["X-Amz-Expires"], System.Globalization.CultureInfo.InvariantCulture), 1, 2);

        // Nothing signals the wall clock passing the expiry: poll the server, bounded.
        using var client = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpResponseMessage response;
        do
        {
            response = await client.GetAsync(url);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Request has expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [S3CompatibleFact]
    public async Task A_stream_of_unknown_length_longer_than_one_part_goes_up_as_a_multipart_upload()
    {
        var content = TestStreams.Bytes((2 * PartSize) + 12345);

        Assert.Equal(content.Length, await _store.UploadAsync("big", TestStreams.Unseekable(content), "application/json", default));

        Assert.Equal(3, _http.Requests.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("partNumber=", StringComparison.Ordinal)));
        Assert.Single(_http.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("uploads", StringComparison.Ordinal));
        Assert.Single(_http.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("uploadId=", StringComparison.Ordinal));
        await using var read = await _store.OpenReadAsync("big", default);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
    }

    [S3CompatibleFact]
    public async Task A_stream_that_fails_after_a_part_is_aborted_and_leaves_no_object()
    {
        var content = TestStreams.Bytes((2 * PartSize) + 10);

        await Assert.ThrowsAsync<IOException>(() => _store.UploadAsync("broken", TestStreams.Unseekable(content, failAfter: PartSize + 100), "application/json", default));

        var started = Assert.Single(_http.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("uploads", StringComparison.Ordinal));
        Assert.Single(_http.Requests, r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("partNumber=1", StringComparison.Ordinal));
        var abort = Assert.Single(_http.Requests, r => r.StartsWith("DELETE ", StringComparison.Ordinal) && r.Contains("uploadId=", StringComparison.Ordinal));
        Assert.Contains($"/{_bucket}/mcd/broken?", abort, StringComparison.Ordinal);
        Assert.DoesNotContain(_http.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("uploadId=", StringComparison.Ordinal)); // never completed
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.OpenReadAsync("broken", default));
        Assert.NotNull(started);
    }

    [S3CompatibleFact]
    public async Task Listing_pages_through_keys_relative_to_the_prefix_and_a_missing_object_is_NotFound()
    {
        foreach (var key in new[] { "list/a", "list/b", "list/sub/c", "other/d" })
        {
            await _store.UploadAsync(key, new MemoryStream([1]), "application/octet-stream", default);
        }

        var first = await _store.ListAsync(new ObjectListQuery("list/", 2, null, null), default);
        Assert.Equal(["list/a", "list/b"], first.Objects.Select(o => o.Key));
        Assert.NotNull(first.NextPageToken);
        Assert.All(first.Objects, o => Assert.Equal(1, o.Size));
        Assert.All(first.Objects, o => Assert.NotNull(o.LastModified));
        var second = await _store.ListAsync(new ObjectListQuery("list/", 2, first.NextPageToken, null), default);
        Assert.Equal(["list/sub/c"], second.Objects.Select(o => o.Key));
        Assert.Null(second.NextPageToken);
        var shallow = await _store.ListAsync(new ObjectListQuery("list/", null, null, "/"), default);
        Assert.Equal(["list/a", "list/b"], shallow.Objects.Select(o => o.Key));

        await _store.DeleteAsync("list/a", default);
        await _store.DeleteAsync("list/a", default); // gone already: not an error
        var missing = await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.OpenReadAsync("list/a", default));
        Assert.DoesNotContain(S3CompatibleFactAttribute.SecretKey!, missing.Message, StringComparison.Ordinal);
    }

    [S3CompatibleFact]
    public async Task A_wrong_access_key_is_refused_by_the_server_and_no_key_shows_in_the_error()
    {
        var settings = Settings();
        settings.AccessKey = "egress-unknown-access-key";
        using var store = new S3ObjectStore(S3Clients.Create(settings), settings, NullLogger<S3ObjectStore>.Instance);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => store.UploadAsync("x", new MemoryStream([1]), "application/octet-stream", default));

        Assert.Contains("InvalidAccessKeyId", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("egress-unknown-access-key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(S3CompatibleFactAttribute.SecretKey!, error.Message, StringComparison.Ordinal);
    }

    private ResultStorageOptions Settings() => new()
    {
        Provider = StorageProviders.S3Compatible,
        Bucket = _bucket,
        EndpointUrl = S3CompatibleFactAttribute.Endpoint,
        AccessKey = S3CompatibleFactAttribute.AccessKey,
        SecretKey = S3CompatibleFactAttribute.SecretKey,
        PartSize = PartSize,
    };
}
