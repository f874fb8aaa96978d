using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Emulator.Tests;

/// <summary>
/// An accepted result that names <c>__mcd_result_location__</c> (docs/protocol.md §13) is fetched
/// before it is answered, bounded, and what was fetched is recorded beside it.
/// </summary>
public sealed class ResultLocationTests : EmulatorTestBase
{
    private const string Signature = "c2lnbmF0dXJlLW5ldmVyLXJlY29yZGVk";
    private const string Stored = """{"__mcd_result__":{"rows":[[1,"a"],[2,"b"]]},"__mcd_trace_id__":"t-loc"}""";

    [Fact]
    public async Task The_location_is_fetched_and_its_body_recorded_with_the_result_and_on_the_admin_API()
    {
        await using var store = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", Stored));
        var location = Location(store, "responses/t-loc");

        var response = await PutResultAsync("op-1", Published(location));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var recorded = Assert.Single(Emulator.Results);
        Assert.Null(recorded.LocationError);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Stored), recorded.LocationBody), recorded.LocationBody?.ToJsonString());
        var request = Assert.Single(store.Requests);
        Assert.StartsWith($"GET /responses/t-loc?se=2030-01-01&sig={Signature} HTTP/1.1", request, StringComparison.Ordinal);
        var listed = JsonNode.Parse(await Client.GetStringAsync(Admin("results")))!.AsArray().Single()!;
        Assert.Equal(2, listed["location_body"]!["__mcd_result__"]!["rows"]!.AsArray().Count);
        Assert.Null(listed["location_error"]);
    }

    [Fact]
    public async Task A_compressed_location_is_gunzipped_before_it_is_parsed()
    {
        await using var store = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", Gzip(Stored)));

        await PutResultAsync("op-1", Published(Location(store, "responses/t-gz"), compressed: true));

        var recorded = Assert.Single(Emulator.Results);
        Assert.Null(recorded.LocationError);
        Assert.Equal("t-loc", (string?)recorded.LocationBody!["__mcd_trace_id__"]);
    }

    [Fact]
    public async Task A_refused_fetch_is_recorded_as_an_error_without_the_signature_and_the_result_is_still_accepted()
    {
        await using var store = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(403, "Forbidden", "<Error>AuthenticationFailed</Error>"));

        var response = await PutResultAsync("op-1", Published(Location(store, "responses/t-403")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var recorded = Assert.Single(Emulator.Results);
        Assert.Null(recorded.LocationBody);
        Assert.Equal("HTTP 403 Forbidden", recorded.LocationError);
        Assert.DoesNotContain(Signature, recorded.LocationError, StringComparison.Ordinal);
        var listed = await Client.GetStringAsync(Admin("results"));
        Assert.Contains("HTTP 403 Forbidden", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_what_the_result_says_is_an_error()
    {
        await using var plain = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", Stored));
        await using var notJson = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", "<html>not json</html>"));

        await PutResultAsync("op-1", Published(Location(plain, "responses/a"), compressed: true));
        await PutResultAsync("op-2", Published(Location(notJson, "responses/b")));

        var results = Emulator.Results;
        Assert.Equal("the object is not gzip although the result says __mcd_result_compressed__", results[0].LocationError);
        Assert.StartsWith("the object is not JSON: ", results[1].LocationError, StringComparison.Ordinal);
        Assert.All(results, r => Assert.True(r.Accepted));
    }

    [Fact]
    public async Task A_stalled_or_oversized_object_ends_the_fetch_at_its_bound()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(new EmulatorOptions
        {
            ResultLocationTimeout = TimeSpan.FromMilliseconds(500),
            ResultLocationMaxBytes = 1000,
        });
        await using var stalled = LoopbackHttpServer.Start(LoopbackHttpServer.HeadersThenSilence());
        await using var large = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", new string(' ', 1001)));
        await using var bomb = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", Gzip(new string(' ', 100_000))));

        await PutAsync(emulator, "op-1", Published(Location(stalled, "responses/slow")));
        await PutAsync(emulator, "op-2", Published(Location(large, "responses/large")));
        await PutAsync(emulator, "op-3", Published(Location(bomb, "responses/bomb"), compressed: true));

        Assert.Equal(
            ["not fetched within 00:00:00.5000000", "the object is larger than 1000 bytes", "the object gunzips to more than 1000 bytes"],
            emulator.Results.Select(r => r.LocationError));
        Assert.All(emulator.Results, r => Assert.Equal(200, r.StatusCode));
    }

    [Fact]
    public async Task Nothing_is_fetched_for_a_rejected_result_a_result_without_location_or_when_fetching_is_off()
    {
        await using var store = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", Stored));
        await using var off = await OrchestratorEmulator.StartAsync(new EmulatorOptions { FetchResultLocations = false });
        Emulator.ScriptResultStatuses(503);

        await PutResultAsync("rejected", Published(Location(store, "responses/r")));
        await PutResultAsync("plain", """{"__mcd_result__":{"n":1},"__mcd_trace_id__":"t"}""");
        await PutAsync(off, "off", Published(Location(store, "responses/o")));

        Assert.Empty(store.Requests);
        Assert.Equal(0, store.Connections);
        Assert.All(Emulator.Results.Concat(off.Results), r => Assert.Equal((null, null), (r.LocationBody, r.LocationError)));
    }

    private static Uri Location(LoopbackHttpServer store, string path) => new(store.BaseUrl, $"{path}?se=2030-01-01&sig={Signature}");

    private static string Published(Uri location, bool compressed = false)
    {
        var result = new JsonObject { ["__mcd_result_location__"] = location.AbsoluteUri, ["__mcd_trace_id__"] = "t-loc" };
        if (compressed)
        {
            result["__mcd_result_compressed__"] = true;
        }

        return result.ToJsonString();
    }

    private async Task PutAsync(OrchestratorEmulator emulator, string operationId, string resultJson)
    {
        using var request = AgentRequest(
            HttpMethod.Put, new Uri(emulator.BaseUrl, $"api/v1/agent/operations/{operationId}/result"), "{\"result\":" + resultJson + "}");
        var response = Track(await Client.SendAsync(request));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static byte[] Gzip(string text)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return compressed.ToArray();
    }
}
