using System.Text.Json.Nodes;
using EgressAgent.Application.Results;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>Contract §2/§3: paths are appended to the base URL keeping its own path; operation ids are escaped.</summary>
public sealed class BaseUrlPathTests
{
    [Theory]
    [InlineData("https://h/prefix", "/prefix")]
    [InlineData("https://h/prefix/", "/prefix")]
    [InlineData("https://h/a/b/", "/a/b")]
    [InlineData("https://h", "")]
    public async Task REST_and_stream_paths_keep_the_base_url_path(string baseUrl, string expectedPrefix)
    {
        await using var harness = new ApiHarness(baseUrl);

        await harness.Api.HeartbeatAsync(CancellationToken.None);
        var stream = await harness.FirstStreamRequestAsync();

        var heartbeat = harness.Handler.Requests[0];
        Assert.Equal(HttpMethod.Post, heartbeat.Method);
        Assert.Equal("h", heartbeat.Uri.Host);
        Assert.Equal(expectedPrefix + "/api/v1/agent/heartbeat", heartbeat.Uri.AbsolutePath);
        Assert.Equal(HttpMethod.Get, stream.Method);
        Assert.Equal(expectedPrefix + "/stream", stream.Uri.AbsolutePath);
        Assert.Equal("text/event-stream", stream.Header("Accept"));
    }

    [Fact]
    public async Task The_operation_id_is_url_escaped_in_the_result_and_request_paths()
    {
        await using var harness = new ApiHarness("https://h/prefix/");
        harness.Handler.Respond = _ => RecordingHandler.Json(System.Net.HttpStatusCode.OK, "{}");

        await harness.Api.PublishResultAsync("op/1 x", new JsonResultBody(new JsonObject()), CancellationToken.None);
        await harness.Api.DownloadOperationAsync("op/1 x", CancellationToken.None);

        Assert.Equal("/prefix/api/v1/agent/operations/op%2F1%20x/result", harness.Handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal("/prefix/api/v1/agent/operations/op%2F1%20x/request", harness.Handler.Requests[1].Uri.AbsolutePath);
    }
}
