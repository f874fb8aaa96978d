using System.Net;
using System.Text.Json.Nodes;

namespace EgressAgent.Emulator.Tests;

public sealed class OperationTests : EmulatorTestBase
{
    [Fact]
    public async Task Enqueued_operation_is_handed_out_once_then_204()
    {
        var id = Emulator.Enqueue("/api/v1/agent/execute/builtin/echo", new JsonObject { ["trace_id"] = "t-1", ["x"] = 1 });
        Assert.Equal("op-1", id);
        Assert.Equal(1, Emulator.QueuedCount);

        var first = await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation")));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var envelope = await ReadObjectAsync(first);
        Assert.Equal("op-1", (string?)envelope["operation_id"]);
        Assert.Equal("/api/v1/agent/execute/builtin/echo", (string?)envelope["path"]);
        Assert.Equal("t-1", (string?)envelope["operation"]!["trace_id"]);
        Assert.Equal(1, (int?)envelope["operation"]!["x"]);

        var second = await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation")));
        Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);

        Assert.Equal(0, Emulator.QueuedCount);
        var handedOut = Assert.Single(Emulator.HandedOut);
        Assert.Equal(new { OperationId = "op-1", InstanceId = (string?)"instance-1", ViaPiggyback = false }, new { handedOut.OperationId, handedOut.InstanceId, handedOut.ViaPiggyback });
        Assert.Equal([200, 204], Emulator.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Concurrent_fetches_hand_each_operation_to_exactly_one_caller()
    {
        for (var i = 0; i < 50; i++)
        {
            Emulator.Enqueue("/p", new JsonObject { ["i"] = i });
        }

        var fetches = Enumerable.Range(0, 60).Select(async _ =>
        {
            var response = await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation")));
            return response.StatusCode == HttpStatusCode.OK ? (string?)(await ReadObjectAsync(response))["operation_id"] : null;
        });
        var ids = (await Task.WhenAll(fetches)).OfType<string>().ToList();

        Assert.Equal(50, ids.Count);
        Assert.Equal(50, ids.Distinct().Count());
    }

    [Fact]
    public async Task Caller_mutating_the_operation_after_enqueue_does_not_change_what_is_handed_out()
    {
        var operation = new JsonObject { ["v"] = "before" };
        Emulator.Enqueue("/p", operation, "fixed-id");
        Emulator.Enqueue("/p", operation, "same-object-twice");
        operation["v"] = "after";

        var envelope = await ReadObjectAsync(await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation"))));

        Assert.Equal("fixed-id", (string?)envelope["operation_id"]);
        Assert.Equal("before", (string?)envelope["operation"]!["v"]);
    }

    [Fact]
    public async Task Oversized_envelope_carries_only_the_marker_and_E5_serves_the_full_operation()
    {
        var operation = new JsonObject { ["trace_id"] = "t-big", ["blob"] = new string('x', 1000) };
        var id = Emulator.EnqueueOversized("/api/v1/agent/execute/builtin/echo", operation, "big/1");

        var envelope = await ReadObjectAsync(await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation"))));
        var inline = envelope["operation"]!.AsObject();
        Assert.True((bool?)inline["__mcd_size_exceeded__"]);
        Assert.Equal("t-big", (string?)inline["trace_id"]);
        Assert.False(inline.ContainsKey("blob"));

        var download = await SendAsync(AgentRequest(HttpMethod.Get, Agent($"api/v1/agent/operations/{Uri.EscapeDataString(id)}/request")));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.True(JsonNode.DeepEquals(operation, await ReadObjectAsync(download)));

        var unknown = await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operations/nope/request")));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Oversized_operation_without_trace_id_has_only_the_marker()
    {
        Emulator.EnqueueOversized("/p", new JsonObject { ["a"] = 1 });

        var envelope = await ReadObjectAsync(await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation"))));

        Assert.Equal("{\"__mcd_size_exceeded__\":true}", envelope["operation"]!.ToJsonString());
    }

    [Fact]
    public async Task Operation_fetch_override_answers_the_scripted_status_without_dequeuing()
    {
        Emulator.Enqueue("/p", []);
        Emulator.OperationFetchStatusOverride = 503;

        var failed = await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation")));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(1, Emulator.QueuedCount);

        Emulator.OperationFetchStatusOverride = 0;
        var ok = await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation")));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Heartbeat_shutdown_and_ping_answer_as_the_contract_says()
    {
        var heartbeat = await SendAsync(AgentRequest(HttpMethod.Post, Agent("api/v1/agent/heartbeat")));
        var shutdown = await SendAsync(AgentRequest(HttpMethod.Post, Agent("api/v1/agent/shutdown")));
        var ping = await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/test/ping?trace_id=abc")));

        Assert.Equal(HttpStatusCode.OK, heartbeat.StatusCode);
        Assert.Equal("{}", await heartbeat.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, shutdown.StatusCode);
        Assert.Equal("{\"ok\":true,\"trace_id\":\"abc\"}", await ping.Content.ReadAsStringAsync());
        var recordedPing = Emulator.Requests[2];
        Assert.Equal(("/api/v1/test/ping", "?trace_id=abc"), (recordedPing.Path, recordedPing.Query));
    }

    [Fact]
    public async Task Unknown_path_is_404_and_wrong_method_is_405()
    {
        var unknown = await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/nothing")));
        var wrongMethod = await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/heartbeat")));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal([404, 405], Emulator.Requests.Select(r => r.StatusCode));
    }
}
