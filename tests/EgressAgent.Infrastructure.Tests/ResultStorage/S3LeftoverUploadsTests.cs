using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Infrastructure.ResultStorage;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace EgressAgent.Infrastructure.Tests.ResultStorage;

/// <summary>
/// A process killed mid-upload leaves an unfinished multipart upload it could not abort; the next
/// multipart upload of the same key aborts it first (docs/protocol.md §13), best effort. Against a
/// mock of the SDK's client: s3rver, the S3-compatible server the other tests use, implements
/// neither ListMultipartUploads nor AbortMultipartUpload.
/// </summary>
public sealed class S3LeftoverUploadsTests
{
    private const string Bucket = "bucket";
    private const string FullKey = "mcd/responses/t-1";
    private readonly Mock<IAmazonS3> _client = new(MockBehavior.Strict);
    private readonly List<string> _calls = [];

    public S3LeftoverUploadsTests()
    {
        _client.Setup(c => c.InitiateMultipartUploadAsync(It.IsAny<InitiateMultipartUploadRequest>(), It.IsAny<CancellationToken>()))
            .Callback<InitiateMultipartUploadRequest, CancellationToken>((r, _) => Record($"initiate {r.Key}"))
            .ReturnsAsync(() => new InitiateMultipartUploadResponse { UploadId = $"new-{_calls.Count}" });
        _client.Setup(c => c.UploadPartAsync(It.IsAny<UploadPartRequest>(), It.IsAny<CancellationToken>()))
            .Callback<UploadPartRequest, CancellationToken>((r, _) => Record($"part {r.PartNumber} of {r.UploadId}"))
            .ReturnsAsync((UploadPartRequest r, CancellationToken _) => new UploadPartResponse { ETag = $"etag-{r.PartNumber}" });
        _client.Setup(c => c.CompleteMultipartUploadAsync(It.IsAny<CompleteMultipartUploadRequest>(), It.IsAny<CancellationToken>()))
            .Callback<CompleteMultipartUploadRequest, CancellationToken>((r, _) => Record($"complete {r.UploadId}"))
            .ReturnsAsync(new CompleteMultipartUploadResponse());
        _client.Setup(c => c.AbortMultipartUploadAsync(It.IsAny<AbortMultipartUploadRequest>(), It.IsAny<CancellationToken>()))
            .Callback<AbortMultipartUploadRequest, CancellationToken>((r, _) => Record($"abort {r.Key} {r.UploadId}"))
            .ReturnsAsync(new AbortMultipartUploadResponse());
    }

    [Fact]
    public async Task The_unfinished_uploads_of_exactly_that_key_are_aborted_before_a_new_one_starts()
    {
        _client.Setup(c => c.ListMultipartUploadsAsync(It.IsAny<ListMultipartUploadsRequest>(), It.IsAny<CancellationToken>()))
            .Callback<ListMultipartUploadsRequest, CancellationToken>((r, _) => Record($"list {r.BucketName} {r.Prefix}"))
            .ReturnsAsync(new ListMultipartUploadsResponse
            {
                MultipartUploads =
                [
                    new MultipartUpload { Key = FullKey, UploadId = "killed-1" },
                    new MultipartUpload { Key = FullKey, UploadId = "killed-2" },
                    new MultipartUpload { Key = FullKey + "0", UploadId = "another-key" }, // the prefix matches it; the key does not
                ],
            });

        var uploaded = await Store().UploadAsync("responses/t-1", new MemoryStream(Content()), "application/json", default);

        Assert.Equal(Content().Length, uploaded);
        Assert.Equal(
            [
                $"list {Bucket} {FullKey}",
                $"abort {FullKey} killed-1",
                $"abort {FullKey} killed-2",
                $"initiate {FullKey}",
                "part 1 of new-4",
                "part 2 of new-4",
                "complete new-4",
            ],
            Calls());
    }

    [Fact]
    public async Task A_store_that_cannot_list_them_still_gets_the_upload()
    {
        // s3rver's answer; AWS answers AccessDenied to a role without s3:ListBucketMultipartUploads.
        _client.Setup(c => c.ListMultipartUploadsAsync(It.IsAny<ListMultipartUploadsRequest>(), It.IsAny<CancellationToken>()))
            .Callback<ListMultipartUploadsRequest, CancellationToken>((r, _) => Record("list"))
            .ThrowsAsync(new AmazonS3Exception("A parameter you provided implies functionality that is not implemented") { ErrorCode = "NotImplemented", StatusCode = HttpStatusCode.NotImplemented });

        var uploaded = await Store().UploadAsync("responses/t-1", new MemoryStream(Content()), "application/json", default);

        Assert.Equal(Content().Length, uploaded);
        Assert.Equal(["list", $"initiate {FullKey}", "part 1 of new-2", "part 2 of new-2", "complete new-2"], Calls());
    }

    [Fact]
    public async Task An_upload_of_the_same_key_this_process_has_under_way_is_not_a_leftover()
    {
        // Two results with one trace id go to one key: the second upload must not abort the first.
        var firstPartStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finishFirstPart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listings = 0;
        _client.Setup(c => c.ListMultipartUploadsAsync(It.IsAny<ListMultipartUploadsRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => Interlocked.Increment(ref listings) == 1
                ? new ListMultipartUploadsResponse()
                : new ListMultipartUploadsResponse { MultipartUploads = [new MultipartUpload { Key = FullKey, UploadId = "first" }] });
        _client.Setup(c => c.InitiateMultipartUploadAsync(It.IsAny<InitiateMultipartUploadRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new InitiateMultipartUploadResponse { UploadId = Volatile.Read(ref listings) == 1 ? "first" : "second" });
        _client.Setup(c => c.UploadPartAsync(It.IsAny<UploadPartRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (UploadPartRequest r, CancellationToken _) =>
            {
                if (r.UploadId == "first" && r.PartNumber == 1)
                {
                    firstPartStarted.TrySetResult();
                    await finishFirstPart.Task.WaitAsync(TimeSpan.FromSeconds(30));
                }

                return new UploadPartResponse { ETag = $"etag-{r.PartNumber}" };
            });
        var store = Store();

        var first = store.UploadAsync("responses/t-1", new MemoryStream(Content()), "application/json", default);
        await firstPartStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await store.UploadAsync("responses/t-1", new MemoryStream(Content()), "application/json", default);
        finishFirstPart.TrySetResult();
        await first.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, listings);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("abort", StringComparison.Ordinal));
        _client.Verify(c => c.CompleteMultipartUploadAsync(It.Is<CompleteMultipartUploadRequest>(r => r.UploadId == "first"), It.IsAny<CancellationToken>()), Times.Once);
        _client.Verify(c => c.CompleteMultipartUploadAsync(It.Is<CompleteMultipartUploadRequest>(r => r.UploadId == "second"), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>One byte over a part: two parts.</summary>
    private static byte[] Content() => TestStreams.Bytes(ResultStorageOptions.MinimumPartSize + 1);

    private S3ObjectStore Store() => new(
        _client.Object,
        new ResultStorageOptions { Provider = StorageProviders.S3, Bucket = Bucket, PartSize = ResultStorageOptions.MinimumPartSize },
        NullLogger<S3ObjectStore>.Instance);

    private void Record(string call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }

    private List<string> Calls()
    {
        lock (_calls)
        {
            return [.. _calls];
        }
    }
}
