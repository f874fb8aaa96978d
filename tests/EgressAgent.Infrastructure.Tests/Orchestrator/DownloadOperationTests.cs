using System.Net;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>E5: three attempts on server errors, none more on a client error (docs/protocol.md §3).</summary>
public sealed class DownloadOperationTests
{
    [Fact]
    public async Task Server_errors_are_retried_up_to_three_attempts_then_fail()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.InternalServerError);

        var download = harness.Api.DownloadOperationAsync("op-1", CancellationToken.None);
        await SitOutPausesAsync(harness, 2);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => download.WaitAsync(Pulse.DefaultTimeout));
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(3, harness.Handler.Requests.Count);
        Assert.All(harness.Handler.Requests, r => Assert.Equal("/prefix/api/v1/agent/operations/op-1/request", r.Uri.AbsolutePath));
    }

    [Fact]
    public async Task A_server_error_followed_by_success_returns_the_operation()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => harness.Handler.Requests.Count == 1
            ? new HttpResponseMessage(HttpStatusCode.BadGateway)
            : RecordingHandler.Json(HttpStatusCode.OK, "{\"trace_id\":\"t-9\",\"query\":\"select 1\"}");

        var download = harness.Api.DownloadOperationAsync("op-1", CancellationToken.None);
        await SitOutPausesAsync(harness, 1);

        var operation = await download.WaitAsync(Pulse.DefaultTimeout);
        Assert.Equal("t-9", operation.GetProperty("trace_id").GetString());
        Assert.Equal(2, harness.Handler.Requests.Count);
    }

    [Fact]
    public async Task Transport_errors_are_retried_up_to_three_attempts()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => harness.Handler.Requests.Count < 3
            ? throw new HttpRequestException("connection refused")
            : RecordingHandler.Json(HttpStatusCode.OK, "{\"trace_id\":\"t-3\"}");

        var download = harness.Api.DownloadOperationAsync("op-1", CancellationToken.None);
        await SitOutPausesAsync(harness, 2);

        var operation = await download.WaitAsync(Pulse.DefaultTimeout);
        Assert.Equal("t-3", operation.GetProperty("trace_id").GetString());
        Assert.Equal(3, harness.Handler.Requests.Count);
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => new HttpResponseMessage(HttpStatusCode.NotFound);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.DownloadOperationAsync("op-1", CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Single(harness.Handler.Requests);
    }

    /// <summary>Lets the short pauses between attempts run out (the 60 s per-attempt timeouts are not touched).</summary>
    private static async Task SitOutPausesAsync(ApiHarness harness, int pauses)
    {
        for (var i = 0; i < pauses; i++)
        {
            var pause = await harness.Time.NextTimerAsync(due => due < TimeSpan.FromSeconds(10), "the pause before the next E5 attempt");
            harness.Time.Advance(pause);
        }
    }
}
