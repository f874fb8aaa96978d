using System.Net;
using System.Text.Json.Nodes;

namespace EgressAgent.Emulator.Tests;

public sealed class ResultTests : EmulatorTestBase
{
    private const string Success = "{\"__mcd_result__\":{\"n\":1},\"__mcd_trace_id__\":\"t-1\"}";

    [Fact]
    public async Task Result_is_recorded_and_answered_200_with_an_empty_object()
    {
        RecordedResult? raised = null;
        Emulator.ResultReceived += r => raised = r;

        var response = await PutResultAsync("op-1", Success);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        var recorded = Assert.Single(Emulator.Results);
        Assert.Equal(("op-1", "instance-1", 200), (recorded.OperationId, recorded.InstanceId, recorded.StatusCode));
        Assert.Equal("t-1", (string?)recorded.Result!["__mcd_trace_id__"]);
        Assert.Same(recorded, raised);
        var request = Assert.Single(Emulator.Requests);
        Assert.Equal(("PUT", "application/json; charset=utf-8"), (request.Method, request.ContentType));
        Assert.Equal("{\"result\":" + Success + "}", request.Body);
    }

    [Fact]
    public async Task Scripted_statuses_come_in_order_then_200_resumes()
    {
        Emulator.ScriptResultStatuses(503, 400);

        var unavailable = await PutResultAsync("op-1", Success);
        var badRequest = await PutResultAsync("op-1", Success);
        var ok = await PutResultAsync("op-1", Success);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(TimeSpan.Zero, unavailable.Headers.RetryAfter?.Delta);
        Assert.Equal("{\"error\":\"scripted\"}", await unavailable.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badRequest.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal([503, 400, 200], Emulator.Results.Select(r => r.StatusCode));

        var accepted = await Emulator.WaitForResultsAsync(1, Bounded);
        Assert.Equal(200, Assert.Single(accepted).StatusCode);
    }

    [Fact]
    public async Task Piggyback_answer_carries_the_next_operation()
    {
        var options = new EmulatorOptions { PiggybackNextOperation = true };
        await using var emulator = await OrchestratorEmulator.StartAsync(options);
        emulator.Enqueue("/api/v1/agent/execute/builtin/echo", new JsonObject { ["k"] = "v" }, "next-1");
        using var request = AgentRequest(
            HttpMethod.Put, new Uri(emulator.BaseUrl, "api/v1/agent/operations/op-0/result"), "{\"result\":" + Success + "}");

        var withNext = Track(await Client.SendAsync(request));
        var body = await ReadObjectAsync(withNext);

        Assert.Equal("next-1", (string?)body["next_operation"]!["operation_id"]);
        Assert.Equal("v", (string?)body["next_operation"]!["operation"]!["k"]);
        var handedOut = Assert.Single(emulator.HandedOut);
        Assert.Equal((true, "op-0"), (handedOut.ViaPiggyback, handedOut.CarriedBy));

        using var again = AgentRequest(
            HttpMethod.Put, new Uri(emulator.BaseUrl, "api/v1/agent/operations/op-0/result"), "{\"result\":" + Success + "}");
        var empty = Track(await Client.SendAsync(again));
        Assert.Equal("{}", await empty.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_piggyback_the_queue_is_left_alone()
    {
        Emulator.Enqueue("/p", []);

        var response = await PutResultAsync("op-1", Success);

        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, Emulator.QueuedCount);
    }

    [Fact]
    public async Task Empty_result_body_answers_200_with_nothing()
    {
        Emulator.EmptyResultBody = true;

        var response = await PutResultAsync("op-1", Success);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Single(await Emulator.WaitForResultsAsync(1, Bounded));
    }

    [Fact]
    public async Task A_body_without_a_result_object_is_400_and_recorded()
    {
        using var request = AgentRequest(HttpMethod.Put, Agent("api/v1/agent/operations/op-1/result"), "[1,2]");

        var response = Track(await Client.SendAsync(request));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var recorded = Assert.Single(Emulator.Results);
        Assert.Null(recorded.Result);
        Assert.Equal("[1,2]", recorded.RawBody);
    }

    [Fact]
    public async Task Waiting_for_results_times_out_with_a_helpful_message()
    {
        Emulator.ScriptResultStatuses(400);
        await PutResultAsync("op-9", Success);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Emulator.WaitForResultsAsync(1, TimeSpan.FromMilliseconds(100)));

        Assert.Contains("0 accepted out of 1 received", error.Message, StringComparison.Ordinal);
        Assert.Contains("op-9→400", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waiting_for_results_completes_when_they_arrive()
    {
        var waiting = Emulator.WaitForResultsAsync(2, Bounded);
        Assert.False(waiting.IsCompleted);

        await PutResultAsync("op-1", Success);
        await PutResultAsync("op-2", Success);

        Assert.Equal(["op-1", "op-2"], (await waiting).Select(r => r.OperationId));
    }

    [Fact]
    public async Task Waiting_for_a_request_sees_already_recorded_ones_and_later_ones()
    {
        await SendAsync(AgentRequest(HttpMethod.Post, Agent("api/v1/agent/heartbeat")));

        var past = await Emulator.WaitForRequestAsync(r => r.Path == "/api/v1/agent/heartbeat", Bounded);
        var future = Emulator.WaitForRequestAsync(r => r.Path == "/api/v1/agent/shutdown", Bounded);
        await SendAsync(AgentRequest(HttpMethod.Post, Agent("api/v1/agent/shutdown")));

        Assert.Equal(200, past.StatusCode);
        Assert.Equal("POST", (await future).Method);
        await Assert.ThrowsAsync<TimeoutException>(() => Emulator.WaitForRequestAsync(r => r.Path == "/never", TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task A_slow_answer_the_client_gave_up_on_is_recorded_as_499_not_accepted()
    {
        Emulator.ResultResponseDelay = TimeSpan.FromSeconds(30);
        // Long enough for the request to reach the handler on a loaded machine (300 ms was not:
        // the client gave up before the emulator saw anything), far below the 30 s delay.
        using var impatient = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        using var request = AgentRequest(HttpMethod.Put, Agent("api/v1/agent/operations/op-1/result"), "{\"result\":" + Success + "}");
        var gaveUp = Emulator.WaitForRequestAsync(r => r.StatusCode == 499, Bounded);

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.SendAsync(request));

        await gaveUp;
        Assert.Equal(499, Assert.Single(Emulator.Results).StatusCode);
    }

    [Fact]
    public async Task Dispose_is_not_held_up_by_a_delayed_answer()
    {
        Emulator.ResultResponseDelay = TimeSpan.FromMinutes(5);
        using var request = AgentRequest(HttpMethod.Put, Agent("api/v1/agent/operations/op-1/result"), "{\"result\":" + Success + "}");
        var pending = Client.SendAsync(request);

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await Emulator.DisposeAsync();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"dispose took {stopwatch.Elapsed}");

        // Answered 503 or refused, depending on whether it arrived before the stop: either way it ends.
        try
        {
            (await pending.WaitAsync(Bounded)).Dispose();
        }
        catch (Exception exception) when (exception is HttpRequestException or System.Net.Sockets.SocketException or IOException)
        {
        }

        Assert.DoesNotContain(Emulator.Results, r => r.Accepted);
    }

    [Fact]
    public async Task Results_of_chosen_operations_are_failed_for_good_without_using_up_the_script()
    {
        Emulator.FailResultsFor(id => id.StartsWith("stuck-", StringComparison.Ordinal), 503);
        Emulator.ScriptResultStatuses(400);

        var first = await PutResultAsync("stuck-1", Success);
        var again = await PutResultAsync("stuck-1", Success);
        var other = await PutResultAsync("op-2", Success);
        var afterScript = await PutResultAsync("op-3", Success);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(TimeSpan.Zero, first.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterScript.StatusCode);
        Assert.Equal([503, 503, 400, 200], Emulator.Results.Select(r => r.StatusCode));
    }
}
