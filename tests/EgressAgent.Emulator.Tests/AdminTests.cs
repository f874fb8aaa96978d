using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace EgressAgent.Emulator.Tests;

public sealed class AdminTests : EmulatorTestBase
{
    [Fact]
    public async Task Admin_enqueues_operations_without_credentials()
    {
        var response = await PostAdminAsync("operations", "{\"path\":\"/p\",\"operation\":{\"trace_id\":\"t\"},\"operation_id\":\"x-1\",\"oversized\":true}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("x-1", (string?)(await ReadObjectAsync(response))["operation_id"]);
        var envelope = await ReadObjectAsync(await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation"))));
        Assert.True((bool?)envelope["operation"]!["__mcd_size_exceeded__"]);
        Assert.DoesNotContain(Emulator.Requests, r => r.PathWithPrefix.StartsWith("/admin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Admin_rejects_a_malformed_operation()
    {
        var response = await PostAdminAsync("operations", "{\"path\":\"/p\"}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, Emulator.QueuedCount);
    }

    [Fact]
    public async Task Admin_sends_events_and_goodbye()
    {
        using var stream = await OpenStreamAsync();

        var eventResponse = await PostAdminAsync("events", "{\"event\":{\"type\":\"work_available\"},\"id\":42}");
        var rawResponse = await PostAdminAsync("events", "{\"data\":\"raw\"}");
        var goodbye = Track(await Client.PostAsync(Admin("goodbye?reason=activity_timeout"), null));

        Assert.Equal(HttpStatusCode.Accepted, eventResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, rawResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, goodbye.StatusCode);
        Assert.Equal(["id: 42", "data: {\"type\":\"work_available\"}"], await stream.ReadMessageAsync(Bounded));
        Assert.Equal(["id: 2", "data: raw"], await stream.ReadMessageAsync(Bounded));
        Assert.Equal(["id: 3", "data: {\"type\":\"goodbye\",\"reason\":\"activity_timeout\"}"], await stream.ReadMessageAsync(Bounded));
    }

    [Fact]
    public async Task Admin_lists_requests_results_and_handed_out_operations()
    {
        Emulator.Enqueue("/p", [], "op-a");
        await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation")));
        await PutResultAsync("op-a", "{\"__mcd_result__\":1}");

        var requests = await GetArrayAsync("requests");
        var results = await GetArrayAsync("results");
        var handedOut = await GetArrayAsync("handed-out");

        Assert.Equal(["/api/v1/agent/operation", "/api/v1/agent/operations/op-a/result"], requests.Select(r => (string?)r!["path"]));
        Assert.DoesNotContain("emulator-secret", requests.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("op-a", (string?)Assert.Single(results)!["operation_id"]);
        Assert.Equal(1, (int?)Assert.Single(results)!["result"]!["__mcd_result__"]);
        Assert.False((bool?)Assert.Single(handedOut)!["via_piggyback"]);
    }

    private async Task<HttpResponseMessage> PostAdminAsync(string relative, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return Track(await Client.PostAsync(Admin(relative), content));
    }

    private async Task<JsonArray> GetArrayAsync(string relative) =>
        JsonNode.Parse(await Client.GetStringAsync(Admin(relative)))!.AsArray();
}
