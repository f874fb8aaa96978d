using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using EgressAgent.Tests.Shared;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>
/// docs/protocol.md §13 "kill -9 at any moment loses nothing, and the location result is published
/// exactly once, after the object is complete", at each moment of an offloaded result's way out:
/// stored but not yet uploaded, in the middle of its multipart upload, and uploaded but its location
/// not yet delivered. Each time a second agent on the same data directory uploads it (same key) and
/// publishes exactly one accepted location, for a complete object whose rows are the query's
/// (<see cref="KilledUploadRig"/>).
/// <para>
/// The killed process's unfinished upload: before a multipart upload the agent lists the
/// unfinished uploads of exactly that key and aborts them. s3rver 3.7.1 implements neither
/// ListMultipartUploads (501 NotImplemented) nor AbortMultipartUpload (405), so it cannot show
/// the leftover gone: the mid-upload test shows the listing asked for before the new upload and its
/// failure not stopping the upload; the abort itself is proven against a mock of the SDK's client
/// (<c>S3LeftoverUploadsTests</c> in the Infrastructure tests).
/// </para>
/// </summary>
public sealed class KilledUploadTests(ITestOutputHelper output)
{
    private const string UploadFailed = "could not be uploaded to object storage";
    private const string LocationKey = "__mcd_result_location__";
    private static readonly TimeSpan Bound = KilledUploadRig.Bound;

    [S3CompatibleFact]
    public async Task A_result_stored_but_not_uploaded_when_kill_9_comes_is_uploaded_by_the_next_process_and_its_location_published_once()
    {
        await using var rig = await KilledUploadRig.StartAsync(output);
        var down = rig.Store.When(_ => true, ProxyFault.Answer(503), name: "store down");
        string operation;
        await using (var first = rig.StartAgent())
        {
            operation = await rig.EnqueueQueryAsync();

            // Stored, its upload refused and its retry waiting on the backoff when it is killed.
            await first.WaitForLineAsync(l => l.Contains(UploadFailed, StringComparison.Ordinal) && l.Contains(operation, StringComparison.Ordinal), Bound);
            Assert.Contains(operation, StoredResults.OperationIds(rig.Outbox));
            await rig.KillAsync(first);
        }

        Assert.DoesNotContain(rig.Emulator.Results, r => r.OperationId == operation); // neither a location nor a failure
        Assert.Contains(operation, StoredResults.OperationIds(rig.Outbox)); // the kill lost nothing
        Assert.True(down.Matched >= 1, "the killed process never asked the store");
        Assert.Equal(rig.Store.Requests.Count, down.Matched); // nothing reached s3rver

        down.Remove();
        var before = rig.Store.Requests.Count;
        await using var second = rig.StartAgent();
        await rig.FetchPublishedAsync(operation);
        Assert.Equal(1, rig.Store.Requests.Skip(before).Count(KilledUploadRig.IsInitiate));
        await rig.EndAsync(operation, second);
        Assert.Single(rig.Emulator.Results, r => r.OperationId == operation); // the only E2 of it, accepted
    }

    [S3CompatibleFact]
    public async Task A_multipart_upload_cut_by_kill_9_is_uploaded_again_by_the_next_process_and_its_location_published_once()
    {
        await using var rig = await KilledUploadRig.StartAsync(output);

        // The second part never reaches s3rver while this rule stands: the first is stored, the
        // upload unfinished, and the agent busy sending when it is killed.
        var never = new TaskCompletionSource();
        var held = rig.Store.When(r => r.Method == "PUT" && r.Query.Contains("partNumber=2&", StringComparison.Ordinal), ProxyFault.HoldUntil(never.Task), name: "part 2 held");
        string operation;
        await using (var first = rig.StartAgent())
        {
            operation = await rig.EnqueueQueryAsync();
            await held.WaitForMatchesAsync(1, Bound);
            await rig.KillAsync(first);
        }

        Assert.DoesNotContain(rig.Emulator.Results, r => r.OperationId == operation);
        Assert.Contains(operation, StoredResults.OperationIds(rig.Outbox)); // the kill lost nothing
        Assert.Equal(1, rig.Store.Count(KilledUploadRig.IsInitiate));
        Assert.Equal(1, rig.Store.Count(r => r.Method == "PUT" && r.Query.Contains("partNumber=1&", StringComparison.Ordinal)));
        if (rig.Bucket.UnfinishedUploads(KilledUploadRig.TraceId) is { } cut)
        {
            // s3rver's disk, when the test can see it: an upload begun, its first part stored, never completed.
            Assert.Contains(cut, u => u.Parts == 1);
        }

        held.Remove();
        await using var second = rig.StartAgent();
        await rig.FetchPublishedAsync(operation);

        // The second process asked for the unfinished uploads of exactly this key before it began
        // its own, and went on when s3rver could not list them.
        var steps = rig.Store.Requests.Where(r => IsListing(r) || KilledUploadRig.IsInitiate(r)).Select(r => IsListing(r) ? "list" : "initiate").ToList();
        Assert.Equal(["list", "initiate", "list", "initiate"], steps);
        var listing = rig.Store.Requests.Last(IsListing);
        Assert.Equal($"/{rig.Bucket.Name}", listing.Path.TrimEnd('/'));
        Assert.Contains("prefix=" + Uri.EscapeDataString(TestBucket.KeyOf(KilledUploadRig.TraceId)), listing.Query, StringComparison.Ordinal);
        await second.WaitForLineAsync(l => l.Contains("could not be listed", StringComparison.Ordinal), Bound);

        await rig.EndAsync(operation, second);
        Assert.Single(rig.Emulator.Results, r => r.OperationId == operation);
    }

    [S3CompatibleFact]
    public async Task A_result_uploaded_whose_location_is_refused_when_kill_9_comes_is_uploaded_again_by_the_next_process_and_its_location_published_once()
    {
        await using var rig = await KilledUploadRig.StartAsync(output);

        // The orchestrator refuses every result (503) until the killed process is gone.
        var refusing = 1;
        rig.Emulator.FailResultsFor(_ => Volatile.Read(ref refusing) == 1, 503);
        string operation;
        await using (var first = rig.StartAgent())
        {
            operation = await rig.EnqueueQueryAsync();
            await first.WaitForLineAsync(l => l.Contains("offloaded to", StringComparison.Ordinal) && l.Contains(operation, StringComparison.Ordinal), Bound);
            await rig.Emulator.WaitForRequestAsync(r => Wire.IsResultOf(r, operation) && r.StatusCode == 503, Bound);

            // The object is complete in s3rver, its location refused, when the process is killed.
            KilledUploadRig.AssertRowsOfTheQuery(await rig.Bucket.ReadAsync(KilledUploadRig.TraceId));
            await rig.KillAsync(first);
        }

        var refused = rig.Emulator.Results.Where(r => r.OperationId == operation).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.Equal(503, r.StatusCode));
        Assert.All(refused, r => Assert.NotNull(r.Result![LocationKey]));
        Assert.Contains(operation, StoredResults.OperationIds(rig.Outbox)); // the kill lost nothing
        Assert.Equal(1, rig.Store.Count(KilledUploadRig.IsInitiate));

        // The location lived in the killed process's memory only: the next one cannot know the
        // object is complete, so it uploads the same bytes to the same key and publishes that.
        Interlocked.Exchange(ref refusing, 0);
        var before = rig.Store.Requests.Count;
        await using var second = rig.StartAgent();
        var location = await rig.FetchPublishedAsync(operation);
        var uploadedAgain = rig.Store.Requests.Skip(before).Where(KilledUploadRig.IsInitiate).ToList();
        Assert.Equal(location.AbsolutePath, Assert.Single(uploadedAgain).Path); // the same key
        await rig.EndAsync(operation, second);
        Assert.Equal(refused.Count + 1, rig.Emulator.Results.Count(r => r.OperationId == operation));
    }

    private static bool IsListing(ProxiedRequest request) => request.Method == "GET" && request.Query.Contains("uploads", StringComparison.Ordinal);
}
