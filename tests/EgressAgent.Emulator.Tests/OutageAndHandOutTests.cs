using System.Net;
using System.Text.Json.Nodes;

namespace EgressAgent.Emulator.Tests;

/// <summary>The hooks a chaos soak drives: an orchestrator outage, and every hand-out reported as it happens.</summary>
public sealed class OutageAndHandOutTests : EmulatorTestBase
{
    private const string Success = "{\"__mcd_result__\":{},\"__mcd_trace_id__\":\"t\"}";

    [Fact]
    public async Task An_outage_answers_every_agent_request_503_without_retry_after_and_ends_open_streams_until_it_is_over()
    {
        using var stream = await OpenStreamAsync();
        Emulator.Enqueue("/api/v1/agent/execute/builtin/echo", []);

        Emulator.Unavailable = true;

        Assert.Null(await stream.ReadMessageAsync(Bounded)); // the open stream ended
        var answers = new List<HttpResponseMessage>
        {
            await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation"))),
            await PutResultAsync("op-x", Success),
            await SendAsync(AgentRequest(HttpMethod.Post, Agent("api/v1/agent/heartbeat"))),
            await SendAsync(AgentRequest(HttpMethod.Post, Agent("api/v1/agent/shutdown"))),
            await SendAsync(AgentRequest(HttpMethod.Get, Agent("stream"))),
        };
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.StatusCode));
        Assert.All(answers, a => Assert.Null(a.Headers.RetryAfter));
        Assert.Equal(1, Emulator.QueuedCount); // nothing was handed out meanwhile
        Assert.DoesNotContain(Emulator.Results, r => r.Accepted);

        Emulator.Unavailable = false;

        var fetched = await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation")));
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
    }

    [Fact]
    public async Task Every_hand_out_is_raised_as_it_happens_naming_the_result_that_carried_a_piggybacked_one()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(new EmulatorOptions { PiggybackNextOperation = true });
        var raised = new List<HandedOutOperation>();
        emulator.OperationHandedOut += raised.Add;
        emulator.Enqueue("/api/v1/agent/execute/builtin/echo", new JsonObject(), "first");
        emulator.Enqueue("/api/v1/agent/execute/builtin/echo", new JsonObject(), "second");

        using var fetch = AgentRequest(HttpMethod.Get, new Uri(emulator.BaseUrl, "api/v1/agent/operation"), instanceId: "i-1");
        Track(await Client.SendAsync(fetch));
        using var put = AgentRequest(HttpMethod.Put, new Uri(emulator.BaseUrl, "api/v1/agent/operations/first/result"), "{\"result\":" + Success + "}", instanceId: "i-1");
        Track(await Client.SendAsync(put));

        Assert.Equal(
            [("first", "i-1", false, null), ("second", "i-1", true, "first")],
            raised.Select(h => (h.OperationId, h.InstanceId, h.ViaPiggyback, h.CarriedBy)));
        Assert.Equal(raised, emulator.HandedOut);
    }
}
