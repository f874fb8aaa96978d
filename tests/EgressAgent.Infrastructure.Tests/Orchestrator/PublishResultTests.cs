using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using EgressAgent.Application.Results;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>E2: the body shape and how each answer maps to delivered, retryable or rejected (docs/protocol.md §3).</summary>
public sealed class PublishResultTests
{
    private static readonly JsonObject ResultJson = new() { ["__mcd_result__"] = new JsonObject { ["n"] = 1 }, ["__mcd_trace_id__"] = "t-1" };
    private static readonly JsonResultBody Result = new(ResultJson);

    [Fact]
    public async Task The_body_is_the_result_wrapped_in_a_result_field_sent_as_JSON()
    {
        await using var harness = new ApiHarness();

        await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        var request = harness.SingleRequest;
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("/prefix/api/v1/agent/operations/op-1/result", request.Uri.AbsolutePath);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(request.Body), request.ContentLength);
        var body = JsonNode.Parse(request.Body)!.AsObject();
        Assert.Single(body);
        Assert.True(JsonNode.DeepEquals(ResultJson, body["result"]));
    }

    [Fact]
    public async Task The_result_is_sent_as_its_stored_bytes_not_reserialised()
    {
        await using var harness = new ApiHarness();
        // Spacing a serialiser would not write: it reaches the wire only if the bytes pass through.
        const string stored = "{ \"__mcd_result__\" : [1, 2.50],\n \"__mcd_trace_id__\":\"t-1\" }";

        await harness.Api.PublishResultAsync("op-1", new Utf8Body(stored), CancellationToken.None);

        Assert.Equal("{\"result\":" + stored + "}", harness.SingleRequest.Body);
    }

    [Fact]
    public async Task A_result_published_again_after_a_failed_attempt_sends_the_same_body()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.OK);
        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(PublishStatus.Delivered, outcome.Status);
        Assert.Equal(2, harness.Handler.Requests.Count);
        Assert.Equal(harness.Handler.Requests[0].Body, harness.Handler.Requests[1].Body);
        Assert.True(JsonNode.DeepEquals(ResultJson, JsonNode.Parse(harness.Handler.Requests[1].Body)!["result"]));
    }

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.NoContent)]
    [InlineData(HttpStatusCode.Accepted)]
    public async Task An_empty_2xx_body_is_delivered(HttpStatusCode status)
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(status);

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(PublishStatus.Delivered, outcome.Status);
        Assert.Equal((int)status, outcome.StatusCode);
        Assert.Null(outcome.NextOperation);
    }

    [Theory]
    [InlineData("ok, thanks")]
    [InlineData("{\"next_operation\":null}")]
    [InlineData("[1,2]")]
    public async Task A_2xx_body_that_is_not_an_object_with_a_next_operation_is_still_delivered(string body)
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RecordingHandler.Json(HttpStatusCode.OK, body);

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(PublishStatus.Delivered, outcome.Status);
        Assert.Null(outcome.NextOperation);
    }

    [Fact]
    public async Task A_next_operation_in_the_answer_is_returned()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RecordingHandler.Json(
            HttpStatusCode.OK,
            "{\"next_operation\":{\"operation_id\":\"op-2\",\"path\":\"/api/v1/agent/execute/builtin/echo\",\"operation\":{}}}");

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(PublishStatus.Delivered, outcome.Status);
        Assert.NotNull(outcome.NextOperation);
        Assert.Equal("op-2", outcome.NextOperation.Envelope.GetProperty("operation_id").GetString());
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task Transient_answers_are_retryable_with_their_Retry_After(HttpStatusCode status)
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RecordingHandler.WithRetryAfter(status, new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)));

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(PublishStatus.Retryable, outcome.Status);
        Assert.Equal((int)status, outcome.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), outcome.RetryAfter);
    }

    [Fact]
    public async Task A_Retry_After_date_becomes_the_time_left_until_it()
    {
        await using var harness = new ApiHarness();
        var until = harness.Time.GetUtcNow().AddSeconds(30);
        harness.Handler.Respond = _ => RecordingHandler.WithRetryAfter(HttpStatusCode.ServiceUnavailable, new RetryConditionHeaderValue(until));

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(30), outcome.RetryAfter);
    }

    [Fact]
    public async Task A_retryable_answer_without_Retry_After_leaves_the_delay_to_the_caller()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(PublishStatus.Retryable, outcome.Status);
        Assert.Null(outcome.RetryAfter);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.Gone)]
    public async Task Other_client_errors_are_rejected_for_good(HttpStatusCode status)
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RecordingHandler.WithRetryAfter(status, new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)));

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(PublishStatus.Rejected, outcome.Status);
        Assert.Equal((int)status, outcome.StatusCode);
        Assert.Null(outcome.RetryAfter);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task A_rejected_credential_is_retryable_because_the_token_may_be_rotated(HttpStatusCode status)
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(status);

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(PublishStatus.Retryable, outcome.Status);
    }

    [Fact]
    public async Task A_413_is_final_for_that_body_and_reports_the_size_of_the_body_refused()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge);

        var outcome = await harness.Api.PublishResultAsync("op-1", Result, CancellationToken.None);

        Assert.Equal(PublishStatus.TooLarge, outcome.Status);
        Assert.Equal(413, outcome.StatusCode);
        Assert.Equal(harness.SingleRequest.ContentLength, outcome.RefusedBytes);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(harness.SingleRequest.Body), outcome.RefusedBytes);
    }
}

/// <summary>A body of exactly the given text, as a store holding serialised results would keep it.</summary>
internal sealed class Utf8Body(string json) : IResultBody
{
    private readonly byte[] _bytes = System.Text.Encoding.UTF8.GetBytes(json);

    public long Length => _bytes.Length;

    public Task CopyToAsync(System.IO.Stream destination, CancellationToken cancellationToken) =>
        destination.WriteAsync(_bytes, cancellationToken).AsTask();
}
