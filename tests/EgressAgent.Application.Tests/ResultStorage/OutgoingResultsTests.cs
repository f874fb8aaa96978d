using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Application.Results;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.Logging;
using Moq;

namespace EgressAgent.Application.Tests.ResultStorage;

/// <summary>What E2 sends for a stored result, by its delivery and stored size (docs/protocol.md §5.3, §13).</summary>
public sealed class OutgoingResultsTests
{
    private static readonly Uri Signed = new("https://bucket.example/mcd/responses/t-1?X-Amz-Signature=secret-signature");
    private readonly Mock<IObjectStore> _store = new(MockBehavior.Strict);
    private readonly RecordingLogger<OutgoingResults> _logger = new();
    private byte[] _uploaded = [];
    private string? _contentType;
    private string? _key;

    public OutgoingResultsTests()
    {
        _store.SetupGet(s => s.Provider).Returns("S3Compatible");
        _store.Setup(s => s.UploadAsync(It.IsAny<string>(), It.IsAny<Stream>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns(async (string key, Stream content, string contentType, CancellationToken token) =>
            {
                using var copy = new MemoryStream();
                await content.CopyToAsync(copy, token);
                (_key, _uploaded, _contentType) = (key, copy.ToArray(), contentType);
                return copy.Length;
            });
        _store.Setup(s => s.PresignGetAsync(It.IsAny<string>(), TimeSpan.FromMinutes(5), It.IsAny<CancellationToken>())).ReturnsAsync(Signed);
    }

    [Fact]
    public async Task A_plain_result_goes_out_as_it_is_stored()
    {
        var stored = Stored(Success(), delivery: null);

        var prepared = await Outgoing().PrepareAsync(stored, CancellationToken.None);

        Assert.Same(stored.Body, prepared.Body);
        Assert.False(prepared.Uploaded);
    }

    [Fact]
    public async Task A_result_over_its_limit_is_uploaded_whole_and_its_location_published()
    {
        var result = Success();
        var prepared = await Outgoing().PrepareAsync(Stored(result, new ResultDelivery("t-1") { SizeLimit = 10 }), CancellationToken.None);

        Assert.True(prepared.Uploaded);
        Assert.Equal("responses/t-1", _key);
        Assert.Equal(result.ToJson().ToJsonString(), Encoding.UTF8.GetString(_uploaded));
        Assert.Equal("application/json", _contentType);
        Assert.Equal($$"""{"__mcd_result_location__":"{{Signed.AbsoluteUri}}","__mcd_trace_id__":"t-1"}""", await TextOf(prepared.Body));
        Assert.True(_logger.Logged(LogLevel.Information, "https://bucket.example/mcd/responses/t-1"));
        Assert.DoesNotContain(_logger.Records, r => r.Message.Contains("secret-signature", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compress_response_file_gzips_the_object_and_says_so()
    {
        var result = Success();
        var prepared = await Outgoing().PrepareAsync(Stored(result, new ResultDelivery("t-1") { SizeLimit = 10, CompressFile = true }), CancellationToken.None);

        Assert.Equal(result.ToJson().ToJsonString(), Gunzip(_uploaded));
        Assert.Equal("application/gzip", _contentType);
        Assert.True(JsonNode.Parse(await TextOf(prepared.Body))!["__mcd_result_compressed__"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("t-1")]
    [InlineData("t-ü <1> \"q\"")] // escaped in the stored tail: the cut must match the writer's escaping
    public async Task A_url_result_uploads_its_value_alone_whatever_its_size(string traceId)
    {
        var value = new JsonObject { ["rows"] = new JsonArray(1, "two", null), ["note"] = "ü <tag> \"quoted\"" };
        var prepared = await Outgoing().PrepareAsync(Stored(OperationResult.Success(value, traceId), new ResultDelivery(traceId) { AsUrl = true, CompressFile = true }), CancellationToken.None);

        Assert.Equal(value.ToJsonString(), Encoding.UTF8.GetString(_uploaded));
        Assert.Equal($"responses/{traceId}", _key);
        Assert.Equal("application/json", _contentType); // never gzipped
        Assert.Null(JsonNode.Parse(await TextOf(prepared.Body))!["__mcd_result_compressed__"]);
    }

    [Fact]
    public async Task A_url_result_whose_stored_body_is_not_a_success_fails_the_upload_instead_of_uploading_something_else()
    {
        var failure = OperationResult.Failure("boom", "Kind", "t-1");

        await Assert.ThrowsAsync<InvalidDataException>(() => Outgoing().PrepareAsync(Stored(failure, new ResultDelivery("t-1") { AsUrl = true }), CancellationToken.None));
    }

    [Fact]
    public async Task Without_a_store_a_large_result_is_Result_too_large_and_a_url_one_StorageNotConfigured()
    {
        var result = Success();
        var size = new JsonResultBody(result.ToJson()).Length;

        var tooLarge = await Outgoing(store: false).PrepareAsync(Stored(result, new ResultDelivery("t-1") { SizeLimit = 10 }), CancellationToken.None);
        var url = await Outgoing(store: false).PrepareAsync(Stored(result, new ResultDelivery("t-1") { AsUrl = true }), CancellationToken.None);

        Assert.Equal($$"""{"__mcd_error__":"Result too large: {{size}} bytes \u003E 10","__mcd_error_type__":"ResultTooLarge","__mcd_trace_id__":"t-1"}""", await TextOf(tooLarge.Body));
        Assert.Equal("""{"__mcd_error__":"Result storage is not configured","__mcd_error_type__":"StorageNotConfigured","__mcd_trace_id__":"t-1"}""", await TextOf(url.Body));
    }

    [Fact]
    public async Task A_result_over_the_compression_threshold_is_published_gzipped_inline()
    {
        var result = Success();
        var prepared = await Outgoing().PrepareAsync(Stored(result, new ResultDelivery("t-1") { CompressThreshold = 10 }), CancellationToken.None);

        var published = JsonNode.Parse(await TextOf(prepared.Body))!.AsObject();
        Assert.Equal(["__type__", "__data__"], published.Select(p => p.Key));
        Assert.Equal("bytes", published["__type__"]!.GetValue<string>());
        Assert.Equal(result.ToJson().ToJsonString(), Gunzip(Convert.FromBase64String(published["__data__"]!.GetValue<string>())));
        Assert.Empty(_uploaded);
    }

    [Fact]
    public async Task A_result_within_its_limit_and_threshold_goes_out_as_it_is()
    {
        var stored = Stored(Success(), new ResultDelivery("t-1") { SizeLimit = 100_000, CompressThreshold = 100_000 });

        var prepared = await Outgoing().PrepareAsync(stored, CancellationToken.None);

        Assert.Same(stored.Body, prepared.Body);
    }

    [Fact]
    public async Task An_upload_that_fails_throws_so_that_the_publisher_retries_it()
    {
        _store.Setup(s => s.UploadAsync(It.IsAny<string>(), It.IsAny<Stream>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ObjectStoreException("S3Compatible PUT failed: ServiceUnavailable"));

        await Assert.ThrowsAsync<ObjectStoreException>(() => Outgoing().PrepareAsync(Stored(Success(), new ResultDelivery("t-1") { SizeLimit = 10 }), CancellationToken.None));
    }

    private static OperationResult Success() =>
        OperationResult.Success(new JsonObject { ["filler"] = new string('x', 300), ["n"] = 7 }, "t-1");

    private static StoredResult Stored(OperationResult result, ResultDelivery? delivery) =>
        new("op-1", new JsonResultBody(result.ToJson())) { Delivery = delivery };

    private OutgoingResults Outgoing(bool store = true)
    {
        var source = new Mock<IObjectStoreSource>();
        source.SetupGet(s => s.Store).Returns(store ? _store.Object : null);
        return new OutgoingResults(TestOptions.Create<ResultStorageOptions>(o => o.UrlExpiration = TimeSpan.FromMinutes(5)), _logger, source.Object);
    }

    private static async Task<string> TextOf(IResultBody body)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy, CancellationToken.None);
        return Encoding.UTF8.GetString(copy.ToArray());
    }

    private static string Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
