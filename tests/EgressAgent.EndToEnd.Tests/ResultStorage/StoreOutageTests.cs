using System.Net;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Fleet;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Tests.Shared;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>
/// docs/protocol.md §13 "Nothing lost" with the store down, through the real agent process and a
/// <see cref="FaultProxy"/> in front of s3rver that answers 503 to everything for a while: the
/// result stays stored, its upload is retried with backoff, nothing is published for it meanwhile
/// (no location, no failure), <c>/readyz</c> fails saying why, intake goes on (only a local storage
/// fault pauses it, §10) and other results go out (§10 "No head-of-line blocking"); once the store is
/// back <c>/readyz</c> is ready again and the object is uploaded
/// once and exactly one location is delivered (a retried E2 sends the same one, uploading nothing
/// again), for a complete object whose body is the result.
/// </summary>
public sealed class StoreOutageTests(ITestOutputHelper output)
{
    private const string UploadFailed = "could not be uploaded to object storage";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [S3CompatibleFact]
    public async Task An_upload_the_store_refuses_is_retried_until_it_is_back_while_readyz_says_why_and_intake_and_other_results_go_on_and_its_location_is_published_once()
    {
        var bucket = await TestBucket.CreateAsync();
        await using var store = FaultProxy.Start(TestBucket.Endpoint, output);
        var down = store.When(_ => true, ProxyFault.Answer(503), name: "store down");
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        await using var agent = AgentProcess.Start(emulator, data, output, settings =>
        {
            bucket.Configure(settings, store.BaseUrl);
            settings.Set("Management:Urls", ManagementEndpoint.AnyFreePort);
        });
        using var management = await ManagementEndpoint.OfAsync(agent, Bound);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        await management.ProbeUntilAsync("/readyz", p => p.Status == HttpStatusCode.OK, Bound);

        var filler = new string('x', 4000);
        var large = emulator.Enqueue(EmulatorWaits.EchoPath, new JsonObject { ["trace_id"] = "t-outage", ["response_size_limit_bytes"] = 1000, ["filler"] = filler });
        emulator.SendEvent(new { type = "work_available" });

        // Two failed uploads, each with its retry scheduled, the result stored all along.
        for (var failure = 1; failure <= 2; failure++)
        {
            var seen = 0; // the predicate sees each line once, so it can count
            var logged = await agent.WaitForLineAsync(l => l.Contains(UploadFailed, StringComparison.Ordinal) && l.Contains(large, StringComparison.Ordinal) && ++seen >= failure, Bound);
            Assert.Contains("retrying in", logged, StringComparison.Ordinal);
            Assert.Contains(large, StoredResults.OperationIds(outbox));
        }

        // Not ready, saying why (the failure is recorded before it is logged): only storage fails,
        // for the one result waiting on the store, with no secret in the answer.
        var notReady = await management.ProbeAsync("/readyz");
        output.WriteLine($"/readyz while the store is down: {notReady.Body.ToJsonString()}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Equal(["storage"], notReady.Failing);
        Assert.StartsWith("storage degraded: results cannot be uploaded to object storage (1 waiting; ", notReady.Description("storage"), StringComparison.Ordinal);
        Assert.All(bucket.Secrets, secret => Assert.DoesNotContain(secret, notReady.Body.ToJsonString(), StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await management.ProbeAsync("/livez")).Status); // a restart would not help

        // Intake goes on: an ordinary result enqueued now, with no event to announce it, is fetched
        // by the idle poll, run and published while the large one waits for the store.
        var polls = emulator.CountRequests(EmulatorWaits.OperationPath);
        var small = emulator.Enqueue(EmulatorWaits.EchoPath, new JsonObject { ["trace_id"] = "t-small" });
        var smallResult = await emulator.WaitForAcceptedResultAsync(small, Bound);
        Assert.Equal("t-small", smallResult.Result!["__mcd_result__"]!["trace_id"]!.GetValue<string>());
        Assert.True(emulator.CountRequests(EmulatorWaits.OperationPath) > polls, "no E1 request after the store went down");

        // Still down: nothing was published for the large result, neither a location nor a failure, and it is still stored.
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == large);
        Assert.Contains(large, StoredResults.OperationIds(outbox));
        Assert.True(down.Matched >= 2, $"the store was asked {down.Matched} time(s)");
        Assert.False(agent.HasExited);

        // Back, but the orchestrator refuses the first two locations (503): the upload is complete and
        // remembered, so each retried E2 sends the same location and nothing is uploaded again.
        var refusals = 0;
        emulator.FailResultsFor(id => id == large && Interlocked.Increment(ref refusals) <= 2, 503);
        var objectPath = $"/{bucket.Name}/{TestBucket.KeyOf("t-outage")}";
        var uploadsBefore = store.Count(r => r.Method == "PUT" && r.Path == objectPath);
        down.Remove();
        var published = await emulator.WaitForAcceptedResultAsync(large, Bound);
        var location = bucket.LocationOf(published.Result!, "t-outage", output);
        var attempts = emulator.Results.Where(r => r.OperationId == large).ToList();
        Assert.Equal([503, 503], attempts.Take(2).Select(r => r.StatusCode));
        Assert.True(Assert.Single(attempts.Skip(2)).Accepted);
        Assert.All(attempts, r => Assert.Equal(location.AbsoluteUri, r.Result!["__mcd_result_location__"]!.GetValue<string>()));
        Assert.Equal(1, store.Count(r => r.Method == "PUT" && r.Path == objectPath) - uploadsBefore);
        using var client = new HttpClient();
        var fetched = await client.GetByteArrayAsync(location);
        Assert.Equal(await bucket.ReadAsync("t-outage"), fetched);
        var body = JsonNode.Parse(fetched)!.AsObject();
        Assert.Equal(["__mcd_result__", "__mcd_trace_id__"], body.Select(p => p.Key));
        Assert.Equal(filler, body["__mcd_result__"]!["filler"]!.GetValue<string>());
        Assert.Equal("t-outage", body["__mcd_trace_id__"]!.GetValue<string>());
        var ready = await management.ProbeUntilAsync("/readyz", p => p.Status == HttpStatusCode.OK, Bound);
        Assert.Empty(ready.Failing);

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Single(emulator.Results, r => r.OperationId == large && r.Accepted);
        Assert.Single(emulator.Results, r => r.OperationId == small);
        Assert.Empty(StoredResults.OperationIds(outbox));
        StorageSecrets.AssertNowhere(bucket.Secrets, agent.Lines, emulator.Results, data.Path);
    }
}
