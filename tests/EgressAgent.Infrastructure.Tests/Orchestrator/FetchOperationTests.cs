using System.Net;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>E1: 204 is "no work", 200 carries an envelope.</summary>
public sealed class FetchOperationTests
{
    [Fact]
    public async Task No_content_means_no_operation()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.NoContent);

        Assert.Null(await harness.Api.FetchOperationAsync(CancellationToken.None));
        Assert.Equal(HttpMethod.Get, harness.SingleRequest.Method);
        Assert.Equal("/prefix/api/v1/agent/operation", harness.SingleRequest.Uri.AbsolutePath);
    }

    [Fact]
    public async Task OK_returns_the_envelope_as_sent()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RecordingHandler.Json(
            HttpStatusCode.OK,
            "{\"operation_id\":\"op-1\",\"path\":\"/api/v1/agent/execute/builtin/echo\",\"operation\":{\"trace_id\":\"t-1\"}}");

        var fetched = await harness.Api.FetchOperationAsync(CancellationToken.None);

        Assert.NotNull(fetched);
        Assert.Equal("op-1", fetched.Envelope.GetProperty("operation_id").GetString());
        Assert.Equal("t-1", fetched.Envelope.GetProperty("operation").GetProperty("trace_id").GetString());
    }

    [Fact]
    public async Task A_server_error_throws_with_the_status_code()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.InternalServerError);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.FetchOperationAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
    }
}
