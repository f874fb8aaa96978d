using System.Net;
using EgressAgent.Application.Results;
using EgressAgent.Infrastructure.Orchestrator;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>
/// Contract §10 "Whole exchanges are bounded": each endpoint's timeout covers the answer's body
/// as well as its headers, and every answer body has a cap. Stalls are fake time; bodies are
/// written by the test while the agent reads them.
/// </summary>
public sealed class WholeExchangeTests
{
    private static readonly JsonResultBody Result = new(new System.Text.Json.Nodes.JsonObject { ["__mcd_result__"] = 1, ["__mcd_trace_id__"] = "t-1" });

    public static TheoryData<string, int> BodyEndpoints => new()
    {
        { "E1", 30 },
        { "E3", 10 },
        { "E4", 15 },
        { "E6", 10 },
    };

    [Theory]
    [MemberData(nameof(BodyEndpoints))]
    public async Task A_body_that_stalls_after_the_headers_ends_the_call_at_the_endpoint_timeout(string endpoint, int seconds)
    {
        await using var harness = new ApiHarness();
        var answer = new StreamingAnswer();
        answer.Body.Send("{\"operation_id\":");
        harness.Handler.Respond = _ => answer.Response;

        var call = Call(harness, endpoint, CancellationToken.None);
        var timeout = await harness.Time.NextTimerAsync(_ => true, "the exchange's timeout");
        await answer.Body.WaitReadingAsync();

        harness.Time.Advance(timeout - TimeSpan.FromTicks(1));
        Assert.False(call.IsCompleted, "the call ended before its timeout");
        harness.Time.Advance(TimeSpan.FromTicks(1));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(Pulse.DefaultTimeout));
        Assert.Equal(TimeSpan.FromSeconds(seconds), timeout);
        Assert.Contains(endpoint, error.Message, StringComparison.Ordinal);
        await answer.Body.WaitDisposedAsync();
    }

    [Fact]
    public async Task A_stalled_body_cancelled_by_the_caller_is_a_cancellation_not_a_timeout()
    {
        await using var harness = new ApiHarness();
        var answer = new StreamingAnswer();
        harness.Handler.Respond = _ => answer.Response;
        using var stop = new CancellationTokenSource();

        var call = harness.Api.FetchOperationAsync(stop.Token);
        await answer.Body.WaitReadingAsync();
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Pulse.DefaultTimeout));
    }

    public static TheoryData<string> AllEndpoints => ["E1", "E2", "E3", "E4", "E5", "E6"];

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Each_endpoint_timeout_comes_from_configuration(string endpoint)
    {
        var configured = TimeSpan.FromMilliseconds(1500 + (endpoint[1] - '0'));
        await using var harness = new ApiHarness(timeouts: timeouts =>
        {
            _ = endpoint switch
            {
                "E1" => timeouts.FetchOperation = configured,
                "E2" => timeouts.PublishResult = configured,
                "E3" => timeouts.Heartbeat = configured,
                "E4" => timeouts.NotifyShutdown = configured,
                "E5" => timeouts.DownloadOperation = configured,
                _ => timeouts.Ping = configured,
            };
        });
        harness.Handler.RespondAsync = async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        };
        using var stop = new CancellationTokenSource();

        var call = Call(harness, endpoint, stop.Token);
        var timeout = await harness.Time.NextTimerAsync(_ => true, "the exchange's timeout");
        await stop.CancelAsync();

        Assert.Equal(configured, timeout);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Pulse.DefaultTimeout));
    }

    public static TheoryData<string, long> Caps => new()
    {
        { "E1", ResponseLimits.Envelope },
        { "E3", ResponseLimits.SmallAnswer },
        { "E4", ResponseLimits.SmallAnswer },
        { "E5", ResponseLimits.OperationBody },
        { "E6", ResponseLimits.SmallAnswer },
    };

    [Theory]
    [MemberData(nameof(Caps))]
    public async Task A_declared_length_over_the_cap_is_refused_before_a_byte_is_read(string endpoint, long cap)
    {
        await using var harness = new ApiHarness();
        var answer = new StreamingAnswer(declaredLength: cap + 1);
        answer.Body.Send("{");
        harness.Handler.Respond = _ => answer.Response;

        var error = await Assert.ThrowsAsync<ResponseTooLargeException>(() => Call(harness, endpoint, CancellationToken.None).WaitAsync(Pulse.DefaultTimeout));

        Assert.Equal(0, answer.Body.BytesRead);
        Assert.Contains($"{cap + 1} bytes", error.Message, StringComparison.Ordinal);
        Assert.Single(harness.Handler.Requests); // E5 too: the same answer would come again
    }

    [Theory]
    [InlineData("E1", ResponseLimits.Envelope)]
    [InlineData("E6", ResponseLimits.SmallAnswer)]
    public async Task A_body_without_a_declared_length_is_refused_at_the_first_byte_past_the_cap(string endpoint, long cap)
    {
        await using var harness = new ApiHarness();
        // Far more than the cap is on offer; the agent stops reading one chunk past it.
        var answer = new StreamingAnswer().WithFiller(cap + (4 * 1024 * 1024), complete: false);
        harness.Handler.Respond = _ => answer.Response;

        await Assert.ThrowsAsync<ResponseTooLargeException>(() => Call(harness, endpoint, CancellationToken.None).WaitAsync(Pulse.DefaultTimeout));

        Assert.InRange(answer.Body.BytesRead, cap + 1, cap + (64 * 1024));
    }

    [Fact]
    public async Task A_body_of_exactly_the_cap_is_read_whole()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new StreamingAnswer().WithFiller(ResponseLimits.SmallAnswer).Response;

        var answer = await harness.Api.PingAsync("t-1", CancellationToken.None);

        Assert.Equal(ResponseLimits.SmallAnswer, answer.Length);
    }

    [Fact]
    public async Task An_E1_envelope_of_exactly_the_cap_is_accepted()
    {
        await using var harness = new ApiHarness();
        const string Head = "{\"operation_id\":\"op-1\",\"path\":\"/p\",\"operation\":{\"pad\":\"";
        const string Tail = "\"}}";
        var answer = new StreamingAnswer();
        answer.Body.Send(Head);
        answer.WithFiller(ResponseLimits.Envelope - Head.Length - Tail.Length, complete: false);
        answer.Body.Send(Tail);
        answer.Body.Complete();
        harness.Handler.Respond = _ => answer.Response;

        var fetched = await harness.Api.FetchOperationAsync(CancellationToken.None);

        Assert.Equal("op-1", fetched!.Envelope.GetProperty("operation_id").GetString());
        Assert.Equal(ResponseLimits.Envelope, answer.Body.BytesRead);
    }

    [Fact]
    public async Task An_accepted_result_whose_answer_stalls_is_delivered_when_the_timeout_ends_without_a_next_operation()
    {
        await using var harness = new ApiHarness();
        var answer = new StreamingAnswer();
        answer.Body.Send("{\"next_operation\":{\"operation_id\":\"op-2\",");
        harness.Handler.Respond = _ => answer.Response;

        var publish = harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);
        var timeout = await harness.Time.NextTimerAsync(_ => true, "the attempt's timeout");
        await answer.Body.WaitReadingAsync();
        harness.Time.Advance(timeout - TimeSpan.FromTicks(1));
        Assert.False(publish.IsCompleted, "the attempt ended before its timeout");
        harness.Time.Advance(TimeSpan.FromTicks(1));

        // 200 is the orchestrator's word that it has the result: failing the attempt would publish it twice.
        var outcome = await publish.WaitAsync(Pulse.DefaultTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), timeout);
        Assert.Equal(PublishStatus.Delivered, outcome.Status);
        Assert.Equal(200, outcome.StatusCode);
        Assert.Null(outcome.NextOperation);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_accepted_result_whose_answer_is_over_the_cap_is_delivered_without_reading_it_all(bool declared)
    {
        await using var harness = new ApiHarness();
        var answer = declared
            ? new StreamingAnswer(declaredLength: ResponseLimits.Envelope + 1)
            : new StreamingAnswer().WithFiller(ResponseLimits.Envelope + (4 * 1024 * 1024), complete: false);
        harness.Handler.Respond = _ => answer.Response;

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None).WaitAsync(Pulse.DefaultTimeout);

        Assert.Equal(PublishStatus.Delivered, outcome.Status);
        Assert.Null(outcome.NextOperation);
        Assert.True(answer.Body.BytesRead <= ResponseLimits.Envelope + (64 * 1024), $"read {answer.Body.BytesRead} bytes");
    }

    [Fact]
    public async Task A_result_attempt_whose_headers_never_come_times_out()
    {
        await using var harness = new ApiHarness();
        harness.Handler.RespondAsync = async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        };

        var publish = harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);
        var timeout = await harness.Time.NextTimerAsync(_ => true, "the attempt's timeout");
        await harness.Handler.Changed.WaitUntilAsync(() => harness.Handler.Requests.Count == 1, "the request");
        harness.Time.Advance(timeout);

        await Assert.ThrowsAsync<TimeoutException>(() => publish.WaitAsync(Pulse.DefaultTimeout));
        Assert.Equal(TimeSpan.FromSeconds(60), timeout);
    }

    [Fact]
    public async Task A_download_whose_body_stalls_is_tried_again_and_the_next_attempt_counts()
    {
        await using var harness = new ApiHarness();
        var stalled = new StreamingAnswer();
        stalled.Body.Send("{\"trace_id\":");
        harness.Handler.Respond = _ => harness.Handler.Requests.Count == 1
            ? stalled.Response
            : RecordingHandler.Json(HttpStatusCode.OK, "{\"trace_id\":\"t-2\"}");

        var download = harness.Api.DownloadOperationAsync("op-1", CancellationToken.None);
        var timeout = await harness.Time.NextTimerAsync(_ => true, "the first attempt's timeout");
        await stalled.Body.WaitReadingAsync();
        harness.Time.Advance(timeout);
        var pause = await harness.Time.NextTimerAsync(due => due < TimeSpan.FromSeconds(10), "the pause before the next attempt");
        harness.Time.Advance(pause);

        var operation = await download.WaitAsync(Pulse.DefaultTimeout);
        Assert.Equal("t-2", operation.GetProperty("trace_id").GetString());
        Assert.Equal(2, harness.Handler.Requests.Count);
    }

    [Fact]
    public async Task A_download_cut_off_mid_body_is_tried_again()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ =>
        {
            if (harness.Handler.Requests.Count > 1)
            {
                return RecordingHandler.Json(HttpStatusCode.OK, "{\"trace_id\":\"t-2\"}");
            }

            var broken = new StreamingAnswer();
            broken.Body.Send("{\"trace_id\":");
            broken.Body.Fail();
            return broken.Response;
        };

        var download = harness.Api.DownloadOperationAsync("op-1", CancellationToken.None);
        var pause = await harness.Time.NextTimerAsync(due => due < TimeSpan.FromSeconds(10), "the pause before the next attempt");
        harness.Time.Advance(pause);

        var operation = await download.WaitAsync(Pulse.DefaultTimeout);
        Assert.Equal("t-2", operation.GetProperty("trace_id").GetString());
        Assert.Equal(2, harness.Handler.Requests.Count);
    }

    private static Task Call(ApiHarness harness, string endpoint, CancellationToken cancellationToken) => endpoint switch
    {
        "E1" => harness.Api.FetchOperationAsync(cancellationToken),
        "E2" => harness.Api.PublishResultAsync("op-1", Result, cancellationToken),
        "E3" => harness.Api.HeartbeatAsync(cancellationToken),
        "E4" => harness.Api.NotifyShutdownAsync(cancellationToken),
        "E5" => harness.Api.DownloadOperationAsync("op-1", cancellationToken),
        _ => harness.Api.PingAsync("t-1", cancellationToken),
    };
}
