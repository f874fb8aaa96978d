using System.Net;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Infrastructure.Tests.Support;

namespace EgressAgent.Infrastructure.Tests.ResultStorage;

/// <summary>
/// What every <see cref="IObjectStore"/> provider does alike, against a real server, each test in a
/// bucket (container) of its own. A subclass makes the store against its server, names that
/// server's fact attribute with <see cref="ContractServerAttribute"/> (so these facts skip without
/// the server and fail under <c>CI=true</c> as its own do), and checks through the hooks below what
/// only its provider can show: signatures, parts, what an aborted upload leaves behind.
/// </summary>
public abstract class ObjectStoreContractTests : IAsyncLifetime
{
    protected const int PartSize = ResultStorageOptions.MinimumPartSize;

    /// <summary>The bucket (container) of this test.</summary>
    protected string Bucket { get; } = $"egress-{Guid.NewGuid():N}"[..30];

    protected IObjectStore Store { get; private set; } = null!;

    /// <summary>True when the server's variables are set; without them nothing is created.</summary>
    protected abstract bool ServerAvailable { get; }

    /// <summary>The configured secret, which no error message may show.</summary>
    protected abstract string Secret { get; }

    /// <summary>The error code of the server's refusal of <see cref="StoreWithAWrongKey"/>.</summary>
    protected abstract string WrongKeyErrorCode { get; }

    public async Task InitializeAsync()
    {
        if (ServerAvailable)
        {
            Store = await CreateBucketAndStoreAsync();
        }
    }

    public abstract Task DisposeAsync();

    [ContractFact]
    public async Task A_presigned_url_is_signed_with_the_configured_key_and_the_server_serves_the_object_with_it()
    {
        var content = TestStreams.Bytes(2000);
        Assert.Equal(2000, await Store.UploadAsync("responses/trace-1", new MemoryStream(content), "application/json", default));

        var url = await Store.PresignGetAsync("responses/trace-1", TimeSpan.FromMinutes(10), default);

        await AssertPresignedForTenMinutesAsync(url);
        using var client = new HttpClient();
        Assert.Equal(content, await client.GetByteArrayAsync(url));
    }

    [ContractFact]
    public async Task The_server_refuses_a_presigned_url_once_it_has_expired()
    {
        await Store.UploadAsync("short", new MemoryStream([1, 2, 3]), "application/octet-stream", default);
        var url = await Store.PresignGetAsync("short", TimeSpan.FromSeconds(1), default);
        AssertPresignedForOneSecond(url);

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
        await AssertExpiredRefusalAsync(response);
    }

    [ContractFact]
    public async Task A_stream_of_unknown_length_longer_than_one_part_goes_up_part_by_part_and_reads_back_whole()
    {
        var content = TestStreams.Bytes((2 * PartSize) + 777);

        Assert.Equal(content.Length, await Store.UploadAsync("big", TestStreams.Unseekable(content), "application/json", default));

        await AssertWentUpInThreePartsAsync("big");
        await using var read = await Store.OpenReadAsync("big", default);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
    }

    [ContractFact]
    public async Task A_stream_that_fails_after_a_part_leaves_no_object_and_no_unfinished_upload()
    {
        var content = TestStreams.Bytes((2 * PartSize) + 10);

        await Assert.ThrowsAsync<IOException>(() => Store.UploadAsync("broken", TestStreams.Unseekable(content, failAfter: PartSize + 100), "application/json", default));

        await AssertNothingLeftOfAsync("broken");
    }

    [ContractFact]
    public async Task Listing_pages_through_keys_relative_to_the_prefix_and_a_missing_object_is_NotFound()
    {
        foreach (var key in new[] { "list/a", "list/b", "list/sub/c", "other/d" })
        {
            await Store.UploadAsync(key, new MemoryStream([1]), "application/octet-stream", default);
        }

        var first = await Store.ListAsync(new ObjectListQuery("list/", 2, null, null), default);
        Assert.Equal(["list/a", "list/b"], first.Objects.Select(o => o.Key));
        Assert.NotNull(first.NextPageToken);
        Assert.All(first.Objects, o => Assert.Equal(1, o.Size));
        Assert.All(first.Objects, o => Assert.NotNull(o.LastModified));
        var second = await Store.ListAsync(new ObjectListQuery("list/", 2, first.NextPageToken, null), default);
        Assert.Equal(["list/sub/c"], second.Objects.Select(o => o.Key));
        Assert.Null(second.NextPageToken);
        var shallow = await Store.ListAsync(new ObjectListQuery("list/", null, null, "/"), default);
        Assert.Equal(["list/a", "list/b"], shallow.Objects.Select(o => o.Key));

        await Store.DeleteAsync("list/a", default);
        await Store.DeleteAsync("list/a", default); // gone already: not an error
        var missing = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("list/a", default));
        Assert.DoesNotContain(Secret, missing.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task A_wrong_key_is_refused_by_the_server_and_no_key_or_signature_shows_in_the_error()
    {
        var (store, wrongKey) = StoreWithAWrongKey();
        using var owned = store as IDisposable;

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => store.UploadAsync("x", new MemoryStream([1]), "application/octet-stream", default));

        Assert.Contains(WrongKeyErrorCode, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Authorization:", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Creates this test's bucket (container) on the server and the store under test in it.</summary>
    protected abstract Task<IObjectStore> CreateBucketAndStoreAsync();

    /// <summary>A store in this test's bucket configured with a key the server does not know, and that key.</summary>
    protected abstract (IObjectStore Store, string WrongKey) StoreWithAWrongKey();

    /// <summary>The URL of <c>responses/trace-1</c>, pre-signed for ten minutes: its path, scope and signature; fetching it follows.</summary>
    protected abstract Task AssertPresignedForTenMinutesAsync(Uri url);

    /// <summary>The URL of <c>short</c>, pre-signed for one second, before the server is asked until it refuses it.</summary>
    protected abstract void AssertPresignedForOneSecond(Uri url);

    /// <summary>What the server says besides 403 when it refuses an expired URL; nothing by default.</summary>
    protected virtual Task AssertExpiredRefusalAsync(HttpResponseMessage response) => Task.CompletedTask;

    /// <summary>Two whole parts and the rest went up under <paramref name="key"/>, as the provider uploads parts.</summary>
    protected abstract Task AssertWentUpInThreePartsAsync(string key);

    /// <summary>An upload to <paramref name="key"/> that failed after its first part left neither an object nor an unfinished upload.</summary>
    protected abstract Task AssertNothingLeftOfAsync(string key);
}
