using System.Net;
using System.Text.Json.Nodes;
using EgressAgent.Application.Results;
using EgressAgent.Infrastructure.Orchestrator;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>Contract §2: every request, REST and stream, carries the credential and the instance id.</summary>
public sealed class RequestHeadersTests
{
    [Fact]
    public async Task Every_endpoint_and_the_stream_carry_the_credential_and_the_same_instance_id()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = request => request.Uri.AbsolutePath.EndsWith("/request", StringComparison.Ordinal)
            ? RecordingHandler.Json(HttpStatusCode.OK, "{}")
            : new HttpResponseMessage(request.Uri.AbsolutePath.EndsWith("/operation", StringComparison.Ordinal) ? HttpStatusCode.NoContent : HttpStatusCode.OK);

        await harness.Api.FetchOperationAsync(CancellationToken.None);
        await harness.Api.PublishResultAsync("op-1", new JsonResultBody(new JsonObject()), CancellationToken.None);
        await harness.Api.HeartbeatAsync(CancellationToken.None);
        await harness.Api.NotifyShutdownAsync(CancellationToken.None);
        await harness.Api.DownloadOperationAsync("op-1", CancellationToken.None);
        await harness.Api.PingAsync("trace-1", CancellationToken.None);
        await harness.FirstStreamRequestAsync();

        Assert.Equal(7, harness.Handler.Requests.Count);
        Assert.All(harness.Handler.Requests, request =>
        {
            Assert.Equal(ApiHarness.TokenId, request.Header(AgentHeadersHandler.IdHeader));
            Assert.Equal(ApiHarness.TokenSecret, request.Header(AgentHeadersHandler.TokenHeader));
            Assert.Equal(harness.InstanceId.Value.ToString("D"), request.Header(AgentHeadersHandler.InstanceHeader));
        });
    }

    [Fact]
    public async Task E6_sends_the_trace_id_as_a_query_parameter()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RecordingHandler.Json(HttpStatusCode.OK, "{\"pong\":true}");

        var answer = await harness.Api.PingAsync("t 1", CancellationToken.None);

        Assert.Equal("{\"pong\":true}", answer);
        Assert.Equal("/prefix/api/v1/test/ping", harness.SingleRequest.Uri.AbsolutePath);
        Assert.Equal("?trace_id=t%201", harness.SingleRequest.Uri.Query);
    }
}
