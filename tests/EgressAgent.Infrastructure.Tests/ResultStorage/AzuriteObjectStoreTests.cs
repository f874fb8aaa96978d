using System.Net;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Infrastructure.ResultStorage;
using EgressAgent.Infrastructure.Tests.Support;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace EgressAgent.Infrastructure.Tests.ResultStorage;

/// <summary>
/// The AzureBlob provider against Microsoft's Azure Storage emulator (azurite, started by
/// <c>.ci/run</c> with an account key made per run), each test in a container of its own. Every
/// SAS is verified here against the account key (<see cref="ServiceSasUrl"/>) and fetched from the
/// emulator, which verifies it too.
/// </summary>
[ContractServer(typeof(AzuriteFactAttribute))]
public sealed class AzuriteObjectStoreTests : ObjectStoreContractTests
{
    private BlobContainerClient? _admin;

    protected override bool ServerAvailable => AzuriteFactAttribute.Available;

    protected override string Secret => AzuriteFactAttribute.Key!;

    protected override string WrongKeyErrorCode => "AuthorizationFailure";

    private BlobContainerClient Admin => _admin!;

    public override async Task DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DeleteIfExistsAsync();
        }
    }

    [AzuriteFact]
    public async Task A_container_is_private_until_it_allows_public_read_access()
    {
        Assert.True(await Store.IsPrivateAsync(default));

        await Admin.SetAccessPolicyAsync(PublicAccessType.Blob);

        Assert.False(await Store.IsPrivateAsync(default));
    }

    protected override async Task<IObjectStore> CreateBucketAndStoreAsync()
    {
        _admin = new BlobContainerClient(new Uri($"{AzuriteFactAttribute.Endpoint}/{Bucket}"), new StorageSharedKeyCredential(AzuriteFactAttribute.Account, AzuriteFactAttribute.Key));
        await _admin.CreateAsync();
        return new AzureBlobObjectStore(AzureBlobClients.Create(Settings()), Settings(), NullLogger<AzureBlobObjectStore>.Instance);
    }

    protected override (IObjectStore Store, string WrongKey) StoreWithAWrongKey()
    {
        var settings = Settings();
        settings.AccountKey = Convert.ToBase64String(TestStreams.Bytes(64, seed: 99));
        return (new AzureBlobObjectStore(AzureBlobClients.Create(settings), settings, NullLogger<AzureBlobObjectStore>.Instance), settings.AccountKey);
    }

    /// <summary>A read-only service SAS signed with the account key, which the emulator refuses once tampered with.</summary>
    protected override async Task AssertPresignedForTenMinutesAsync(Uri url)
    {
        Assert.EndsWith($"/{Bucket}/mcd/responses/trace-1", url.AbsolutePath, StringComparison.Ordinal);
        var sas = ServiceSasUrl.Parameters(url);
        Assert.Equal("r", sas["sp"]);
        Assert.Equal("b", sas["sr"]);
        var expiry = DateTimeOffset.Parse(sas["se"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
        Assert.True(ServiceSasUrl.IsSignedWith(url, AzuriteFactAttribute.Account!, AzuriteFactAttribute.Key!), "the SAS is not the account key's");
        Assert.False(ServiceSasUrl.IsSignedWith(ServiceSasUrl.Tampered(url), AzuriteFactAttribute.Account!, AzuriteFactAttribute.Key!), "the verifier accepted a changed signature");

        using var client = new HttpClient();
        var tampered = await client.GetAsync(ServiceSasUrl.Tampered(url));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
    }

    protected override void AssertPresignedForOneSecond(Uri url) =>
        Assert.True(ServiceSasUrl.IsSignedWith(url, AzuriteFactAttribute.Account!, AzuriteFactAttribute.Key!));

    /// <summary>A committed block list of three blocks, none left uncommitted, with the content type.</summary>
    protected override async Task AssertWentUpInThreePartsAsync(string key)
    {
        var blocks = await Admin.GetBlockBlobClient($"mcd/{key}").GetBlockListAsync(BlockListTypes.All);
        Assert.Equal(3, blocks.Value.CommittedBlocks.Count());
        Assert.Empty(blocks.Value.UncommittedBlocks);
        Assert.Equal("application/json", (await Admin.GetBlobClient($"mcd/{key}").GetPropertiesAsync()).Value.ContentType);
    }

    /// <summary>No blob, and not even an uncommitted blob with staged blocks.</summary>
    protected override async Task AssertNothingLeftOfAsync(string key)
    {
        Assert.False((await Admin.GetBlobClient($"mcd/{key}").ExistsAsync()).Value);
        var listed = new List<string>();
        await foreach (var blob in Admin.GetBlobsAsync(BlobTraits.None, BlobStates.Uncommitted, null, default))
        {
            listed.Add(blob.Name);
        }

        Assert.Empty(listed);
    }

    private ResultStorageOptions Settings() => new()
    {
        Provider = StorageProviders.AzureBlob,
        Bucket = Bucket,
        AccountName = AzuriteFactAttribute.Account,
        AccountKey = AzuriteFactAttribute.Key,
        EndpointUrl = AzuriteFactAttribute.Endpoint,
        PartSize = PartSize,
    };
}
