using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Tests.Shared;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>
/// docs/protocol.md §13 <c>UrlExpiration</c>, set through the reference's
/// <c>MCD_PRE_SIGNED_URL_RESPONSE_EXPIRATION_SECONDS</c>: the published location serves the object
/// right away, and s3rver refuses it (403) once it has expired. The expiry is short but not so
/// short that a loaded machine could let it pass between the publication and the first fetch.
/// </summary>
public sealed class ExpiredLocationTests(ITestOutputHelper output)
{
    private const int ExpirySeconds = 5;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [S3CompatibleFact]
    public async Task The_published_location_serves_the_object_until_it_expires_and_is_refused_after()
    {
        var bucket = await TestBucket.CreateAsync();
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, settings =>
        {
            bucket.Configure(settings);
            settings.Environment["MCD_PRE_SIGNED_URL_RESPONSE_EXPIRATION_SECONDS"] = ExpirySeconds.ToString(CultureInfo.InvariantCulture);
        });
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        var operation = emulator.Enqueue(EmulatorWaits.EchoPath, new JsonObject { ["trace_id"] = "t-expiring", ["response_type"] = "url", ["v"] = 42 });
        emulator.SendEvent(new { type = "work_available" });
        var published = await emulator.WaitForAcceptedResultAsync(operation, Bound);
        var location = bucket.LocationOf(published.Result!, "t-expiring", output);
        Assert.InRange(int.Parse(SigV4PresignedUrl.Parameters(location)["X-Amz-Expires"], CultureInfo.InvariantCulture), ExpirySeconds, ExpirySeconds + 1); // the SDK counts from its own signing instant

        using var client = new HttpClient();
        using (var first = await client.GetAsync(location))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(42, JsonNode.Parse(await first.Content.ReadAsStringAsync())!["v"]!.GetValue<int>());
        }

        // Nothing signals the wall clock passing the expiry: ask the server again, bounded.
        var deadline = DateTime.UtcNow + Bound;
        HttpStatusCode status;
        string refusal;
        do
        {
            await Task.Delay(250);
            using var response = await client.GetAsync(location);
            status = response.StatusCode;
            refusal = await response.Content.ReadAsStringAsync();
        }
        while (status == HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Request has expired", refusal, StringComparison.Ordinal);
        var signedAt = DateTimeOffset.ParseExact(SigV4PresignedUrl.Parameters(location)["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.True(DateTimeOffset.UtcNow >= signedAt.AddSeconds(ExpirySeconds), "refused before its expiry");

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Single(emulator.Results, r => r.OperationId == operation);
        StorageSecrets.AssertNowhere(bucket.Secrets, agent.Lines, emulator.Results, data.Path);
    }
}
