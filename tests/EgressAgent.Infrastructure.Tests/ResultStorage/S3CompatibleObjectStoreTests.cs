using Amazon.S3;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Infrastructure.ResultStorage;
using EgressAgent.Infrastructure.Tests.Support;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace EgressAgent.Infrastructure.Tests.ResultStorage;

/// <summary>
/// The S3 provider against a real S3-compatible server (s3rver, started by <c>.ci/run</c>), each
/// test in a bucket of its own. s3rver does not verify SigV4, so every pre-signed URL's signature
/// is verified here against the configured secret (<see cref="SigV4PresignedUrl"/>) before the URL
/// is fetched from the server.
/// </summary>
[ContractServer(typeof(S3CompatibleFactAttribute))]
public sealed class S3CompatibleObjectStoreTests : ObjectStoreContractTests
{
    private readonly RecordingHttpClientFactory _http = new();
    private S3ObjectStore? _store;
    private IAmazonS3? _admin;

    protected override bool ServerAvailable => S3CompatibleFactAttribute.Available;

    protected override string Secret => S3CompatibleFactAttribute.SecretKey!;

    protected override string WrongKeyErrorCode => "InvalidAccessKeyId";

    public override Task DisposeAsync()
    {
        _store?.Dispose();
        _admin?.Dispose();
        return Task.CompletedTask;
    }

    protected override async Task<IObjectStore> CreateBucketAndStoreAsync()
    {
        _admin = S3Clients.Create(Settings());
        await _admin.PutBucketAsync(Bucket);
        return _store = new S3ObjectStore(S3Clients.Create(Settings(), _http), Settings(), NullLogger<S3ObjectStore>.Instance);
    }

    protected override (IObjectStore Store, string WrongKey) StoreWithAWrongKey()
    {
        var settings = Settings();
        settings.AccessKey = "egress-unknown-access-key";
        return (new S3ObjectStore(S3Clients.Create(settings), settings, NullLogger<S3ObjectStore>.Instance), settings.AccessKey);
    }

    protected override Task AssertPresignedForTenMinutesAsync(Uri url)
    {
        Assert.Equal($"/{Bucket}/mcd/responses/trace-1", url.AbsolutePath); // path-style, under the prefix
        var parameters = SigV4PresignedUrl.Parameters(url);
        Assert.InRange(int.Parse(parameters["X-Amz-Expires"], System.Globalization.CultureInfo.InvariantCulture), 600, 601); // the SDK counts from its own signing instant
        Assert.StartsWith(S3CompatibleFactAttribute.AccessKey + "/", parameters["X-Amz-Credential"], StringComparison.Ordinal);
        Assert.True(SigV4PresignedUrl.IsSignedWith(url, S3CompatibleFactAttribute.SecretKey!), "the URL's SigV4 signature is not the secret key's");
        Assert.False(SigV4PresignedUrl.IsSignedWith(url, S3CompatibleFactAttribute.SecretKey + "x"), "the verifier accepted another secret");
        Assert.False(SigV4PresignedUrl.IsSignedWith(SigV4PresignedUrl.Tampered(url), S3CompatibleFactAttribute.SecretKey!), "the verifier accepted a changed signature");
        return Task.CompletedTask;
    }

    protected override void AssertPresignedForOneSecond(Uri url)
    {
        Assert.True(SigV4PresignedUrl.IsSignedWith(url, S3CompatibleFactAttribute.SecretKey!));
        Assert.InRange(int.Parse(SigV4PresignedUrl.Parameters(url)["X-Amz-Expires"], System.Globalization.CultureInfo.InvariantCulture), 1, 2);
    }

    protected override async Task AssertExpiredRefusalAsync(HttpResponseMessage response) =>
        Assert.Contains("Request has expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

    /// <summary>A multipart upload: started once, three parts, completed once.</summary>
    protected override Task AssertWentUpInThreePartsAsync(string key)
    {
        Assert.Equal(3, _http.Requests.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("partNumber=", StringComparison.Ordinal)));
        Assert.Single(_http.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("uploads", StringComparison.Ordinal));
        Assert.Single(_http.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("uploadId=", StringComparison.Ordinal));
        return Task.CompletedTask;
    }

    /// <summary>The multipart upload was started, sent one part, was aborted and never completed.</summary>
    protected override async Task AssertNothingLeftOfAsync(string key)
    {
        var started = Assert.Single(_http.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("uploads", StringComparison.Ordinal));
        Assert.Single(_http.Requests, r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("partNumber=1", StringComparison.Ordinal));
        var abort = Assert.Single(_http.Requests, r => r.StartsWith("DELETE ", StringComparison.Ordinal) && r.Contains("uploadId=", StringComparison.Ordinal));
        Assert.Contains($"/{Bucket}/mcd/{key}?", abort, StringComparison.Ordinal);
        Assert.DoesNotContain(_http.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("uploadId=", StringComparison.Ordinal)); // never completed
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync(key, default));
        Assert.NotNull(started);
    }

    private ResultStorageOptions Settings() => new()
    {
        Provider = StorageProviders.S3Compatible,
        Bucket = Bucket,
        EndpointUrl = S3CompatibleFactAttribute.Endpoint,
        AccessKey = S3CompatibleFactAttribute.AccessKey,
        SecretKey = S3CompatibleFactAttribute.SecretKey,
        PartSize = PartSize,
    };
}
