using System.Net;

namespace EgressAgent.Emulator.Tests;

public sealed class CredentialTests : EmulatorTestBase
{
    [Fact]
    public async Task Wrong_credential_is_401_and_recorded()
    {
        var response = await SendAsync(AgentRequest(HttpMethod.Post, Agent("api/v1/agent/heartbeat"), token: "wrong"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var recorded = Assert.Single(Emulator.Requests);
        Assert.Equal(("POST", "/api/v1/agent/heartbeat", "emulator-id", "wrong", "instance-1", 401),
            (recorded.Method, recorded.Path, recorded.TokenId, recorded.Token, recorded.InstanceId, recorded.StatusCode));
    }

    [Fact]
    public async Task Missing_credential_headers_are_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Agent("api/v1/agent/operation"));
        var response = Track(await Client.SendAsync(request));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(Assert.Single(Emulator.Requests).TokenId);
    }

    [Fact]
    public async Task Rotation_accepts_only_the_new_credential()
    {
        Emulator.SetAcceptedCredential("id-2", "secret-2");

        var old = await SendAsync(AgentRequest(HttpMethod.Post, Agent("api/v1/agent/heartbeat")));
        var rotated = await SendAsync(AgentRequest(HttpMethod.Post, Agent("api/v1/agent/heartbeat"), tokenId: "id-2", token: "secret-2"));

        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
    }

    [Fact]
    public async Task Reject_all_answers_401_everywhere_including_the_stream()
    {
        Emulator.RejectAllCredentials = true;

        var heartbeat = await SendAsync(AgentRequest(HttpMethod.Post, Agent("api/v1/agent/heartbeat")));
        using var stream = await OpenStreamAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, heartbeat.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stream.Response.StatusCode);
        Assert.Equal(0, Emulator.OpenStreamCount);
        Assert.All(Emulator.Requests, r => Assert.Equal(401, r.StatusCode));
    }
}

public sealed class PathPrefixTests : EmulatorTestBase
{
    protected override EmulatorOptions Options => new() { PathPrefix = "/prefix" };

    [Fact]
    public async Task Base_url_keeps_the_prefix_and_ends_with_a_slash()
    {
        Assert.Equal("/prefix/", Emulator.BaseUrl.AbsolutePath);
        Assert.Equal("127.0.0.1", Emulator.BaseUrl.Host);
        Assert.NotEqual(0, Emulator.BaseUrl.Port);
        Assert.Equal("/admin/", Emulator.AdminUrl.AbsolutePath);

        var response = await SendAsync(AgentRequest(HttpMethod.Get, Agent("api/v1/agent/operation")));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var recorded = Assert.Single(Emulator.Requests);
        Assert.Equal(("/api/v1/agent/operation", "/prefix/api/v1/agent/operation"), (recorded.Path, recorded.PathWithPrefix));
    }

    [Fact]
    public async Task Requests_without_the_prefix_are_404_and_not_recorded()
    {
        var root = new Uri(Emulator.BaseUrl, "/");

        var withoutPrefix = await SendAsync(AgentRequest(HttpMethod.Get, new Uri(root, "api/v1/agent/operation")));
        var lookalike = await SendAsync(AgentRequest(HttpMethod.Get, new Uri(root, "prefixed/api/v1/agent/operation")));

        Assert.Equal(HttpStatusCode.NotFound, withoutPrefix.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, lookalike.StatusCode);
        Assert.Empty(Emulator.Requests);
    }

    [Fact]
    public async Task Escaped_operation_id_is_decoded_under_the_prefix()
    {
        var response = await PutResultAsync("a/b c%41", "{\"__mcd_result__\":1}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a/b c%41", Assert.Single(Emulator.Results).OperationId);
    }
}
