using System.Net;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Infrastructure.ResultStorage;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace EgressAgent.Infrastructure.Tests.ResultStorage;

/// <summary>
/// The AzureBlob provider against Microsoft's Azure Storage emulator (azurite, started by
/// <c>.ci/run</c> with an account key made per run), each test in a container of its own. Every
/// SAS is verified here against the account key (<see cref="ServiceSasUrl"/>) and fetched from the
/// emulator, which verifies it too.
/// </summary>
public sealed class AzuriteObjectStoreTests : IAsyncLifetime
{
    private const int PartSize = ResultStorageOptions.MinimumPartSize;
    private readonly string _container = $"egress-{Guid.NewGuid():N}"[..30];
    private AzureBlobObjectStore _store = null!;
    private BlobContainerClient _admin = null!;

    public async Task InitializeAsync()
    {
        if (!AzuriteFactAttribute.Available)
        {
            return;
        }

        _admin = new BlobContainerClient(new Uri($"{AzuriteFactAttribute.Endpoint}/{_container}"), new StorageSharedKeyCredential(AzuriteFactAttribute.Account, AzuriteFactAttribute.Key));
        await _admin.CreateAsync();
        _store = new AzureBlobObjectStore(AzureBlobClients.Create(Settings()), Settings(), NullLogger<AzureBlobObjectStore>.Instance);
    }

    public async Task DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DeleteIfExistsAsync();
        }
    }

    [AzuriteFact]
    public async Task A_presigned_url_is_a_read_only_service_SAS_signed_with_the_account_key_and_the_emulator_serves_it()
    {
        var content = TestStreams.Bytes(2000);
        Assert.Equal(2000, await _store.UploadAsync("responses/trace-1", new MemoryStream(content), "application/json", default));

        var url = await _store.PresignGetAsync("responses/trace-1", TimeSpan.FromMinutes(10), default);

        Assert.EndsWith($"/{_container}/mcd/responses/trace-1", url.AbsolutePath, StringComparison.Ordinal);
        var sas = ServiceSasUrl.Parameters(url);
        Assert.Equal("r", sas["sp"]);
        Assert.Equal("b", sas["sr"]);
        var expiry = DateTimeOffset.Parse(sas["se"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
        Assert.True(ServiceSasUrl.IsSignedWith(url, AzuriteFactAttribute.Account!, AzuriteFactAttribute.Key!), "the SAS is not the account key's");
        Assert.False(ServiceSasUrl.IsSignedWith(ServiceSasUrl.Tampered(url), AzuriteFactAttribute.Account!, AzuriteFactAttribute.Key!), "the verifier accepted a changed signature");

        using var client = new HttpClient();
        Assert.Equal(content, await client.GetByteArrayAsync(url));
        var tampered = await client.GetAsync(ServiceSasUrl.Tampered(url));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
    }

    [AzuriteFact]
    public async Task The_emulator_refuses_a_SAS_once_it_has_expired()
    {
        await _store.UploadAsync("short", new MemoryStream([1, 2, 3]), "application/octet-stream", default);
        var url = await _store.PresignGetAsync("short", TimeSpan.FromSeconds(1), default);
        Assert.True(ServiceSasUrl.IsSignedWith(url, AzuriteFactAttribute.Account!, AzuriteFactAttribute.Key!));

        // Nothing signals the wall clock passing the expiry (SAS times have whole seconds): poll the emulator, bounded.
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
    }

    [AzuriteFact]
    public async Task A_stream_of_unknown_length_longer_than_one_part_is_committed_as_a_block_list()
    {
        var content = TestStreams.Bytes((2 * PartSize) + 777);

        Assert.Equal(content.Length, await _store.UploadAsync("big", TestStreams.Unseekable(content), "application/json", default));

        var blocks = await _admin.GetBlockBlobClient("mcd/big").GetBlockListAsync(BlockListTypes.All);
        Assert.Equal(3, blocks.Value.CommittedBlocks.Count());
        Assert.Empty(blocks.Value.UncommittedBlocks);
        await using var read = await _store.OpenReadAsync("big", default);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
        Assert.Equal("application/json", (await _admin.GetBlobClient("mcd/big").GetPropertiesAsync()).Value.ContentType);
    }

    [AzuriteFact]
    public async Task A_stream_that_fails_after_a_block_leaves_no_blob_and_no_staged_block()
    {
        var content = TestStreams.Bytes((2 * PartSize) + 10);

        await Assert.ThrowsAsync<IOException>(() => _store.UploadAsync("broken", TestStreams.Unseekable(content, failAfter: PartSize + 100), "application/json", default));

        Assert.False((await _admin.GetBlobClient("mcd/broken").ExistsAsync()).Value);
        var listed = new List<string>();
        await foreach (var blob in _admin.GetBlobsAsync(BlobTraits.None, BlobStates.Uncommitted, null, default))
        {
            listed.Add(blob.Name);
        }

        Assert.Empty(listed); // not even an uncommitted blob with staged blocks
    }

    [AzuriteFact]
    public async Task Listing_pages_through_keys_relative_to_the_prefix_and_a_missing_blob_is_NotFound()
    {
        foreach (var key in new[] { "list/a", "list/b", "list/sub/c", "other/d" })
        {
            await _store.UploadAsync(key, new MemoryStream([1]), "application/octet-stream", default);
        }

        var first = await _store.ListAsync(new ObjectListQuery("list/", 2, null, null), default);
        Assert.Equal(["list/a", "list/b"], first.Objects.Select(o => o.Key));
        Assert.NotNull(first.NextPageToken);
        Assert.All(first.Objects, o => Assert.Equal(1, o.Size));
        var second = await _store.ListAsync(new ObjectListQuery("list/", 2, first.NextPageToken, null), default);
        Assert.Equal(["list/sub/c"], second.Objects.Select(o => o.Key));
        Assert.Null(second.NextPageToken);
        var shallow = await _store.ListAsync(new ObjectListQuery("list/", null, null, "/"), default);
        Assert.Equal(["list/a", "list/b"], shallow.Objects.Select(o => o.Key));

        await _store.DeleteAsync("list/a", default);
        await _store.DeleteAsync("list/a", default);
        var missing = await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.OpenReadAsync("list/a", default));
        Assert.DoesNotContain(AzuriteFactAttribute.Key!, missing.Message, StringComparison.Ordinal);
    }

    [AzuriteFact]
    public async Task A_container_is_private_until_it_allows_public_read_access()
    {
        Assert.True(await _store.IsPrivateAsync(default));

        await _admin.SetAccessPolicyAsync(PublicAccessType.Blob);

        Assert.False(await _store.IsPrivateAsync(default));
    }

    [AzuriteFact]
    public async Task A_wrong_account_key_is_refused_and_no_key_or_signature_shows_in_the_error()
    {
        var settings = Settings();
        settings.AccountKey = Convert.ToBase64String(TestStreams.Bytes(64, seed: 99));
        var store = new AzureBlobObjectStore(AzureBlobClients.Create(settings), settings, NullLogger<AzureBlobObjectStore>.Instance);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => store.UploadAsync("x", new MemoryStream([1]), "application/octet-stream", default));

        Assert.Contains("AuthorizationFailure", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(settings.AccountKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteFactAttribute.Key!, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Authorization:", error.Message, StringComparison.Ordinal);
    }

    private ResultStorageOptions Settings() => new()
    {
        Provider = StorageProviders.AzureBlob,
        Bucket = _container,
        AccountName = AzuriteFactAttribute.Account,
        AccountKey = AzuriteFactAttribute.Key,
        EndpointUrl = AzuriteFactAttribute.Endpoint,
        PartSize = PartSize,
    };
}
