using System.Net;
using EgressAgent.Application.Results;
using EgressAgent.Infrastructure.Orchestrator;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>
/// docs/protocol.md §10 "Redirects are not followed" at the adapter: a 3xx is a failed exchange
/// for every endpoint (E2 retryable, never delivered), named by its Location's origin only; the
/// header handler puts the credential on requests for the configured origin only (docs/adr/0041).
/// </summary>
public sealed class RedirectTests
{
    private const string Elsewhere = "http://user:pw@elsewhere.test:8080/steal?token=abc#frag";

    public static TheoryData<HttpStatusCode> Redirects =>
    [
        HttpStatusCode.MultipleChoices, HttpStatusCode.MovedPermanently, HttpStatusCode.Found, HttpStatusCode.SeeOther,
        HttpStatusCode.NotModified, HttpStatusCode.TemporaryRedirect, HttpStatusCode.PermanentRedirect,
    ];

    [Theory]
    [MemberData(nameof(Redirects))]
    public async Task E1_answered_a_redirect_fails_with_the_status_and_names_the_target_origin_only(HttpStatusCode status)
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RedirectTo(status, Elsewhere);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.FetchOperationAsync(CancellationToken.None));

        Assert.Equal(status, error.StatusCode);
        Assert.Contains("the redirect to http://elsewhere.test:8080 was not followed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("steal", error.Message, StringComparison.Ordinal);
        Assert.Single(harness.Handler.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.SeeOther)]
    [InlineData(HttpStatusCode.TemporaryRedirect)]
    [InlineData(HttpStatusCode.PermanentRedirect)]
    [InlineData(HttpStatusCode.MovedPermanently)]
    public async Task E2_answered_a_redirect_is_retryable_never_delivered(HttpStatusCode status)
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RedirectTo(status, Elsewhere);

        var outcome = await harness.Api.PublishResultAsync("op-1", new JsonResultBody(new() { ["__mcd_result__"] = 1 }), CancellationToken.None);

        Assert.Equal(PublishStatus.Retryable, outcome.Status);
        Assert.Equal((int)status, outcome.StatusCode);
        Assert.Null(outcome.NextOperation);
        Assert.Contains("redirect not followed", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(HttpMethod.Put, harness.SingleRequest.Method);
    }

    [Fact]
    public async Task E3_E4_and_E6_answered_a_redirect_fail_like_a_server_error()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RedirectTo(HttpStatusCode.TemporaryRedirect, "/elsewhere-on-the-same-host");

        var beat = await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.HeartbeatAsync(CancellationToken.None));
        var notice = await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.NotifyShutdownAsync(CancellationToken.None));
        var ping = await Assert.ThrowsAsync<HttpRequestException>(() => harness.Api.PingAsync("t-1", CancellationToken.None));

        Assert.All([beat, notice, ping], e => Assert.Equal(HttpStatusCode.TemporaryRedirect, e.StatusCode));
        // A relative Location is the orchestrator's own origin: still not followed.
        Assert.Contains("the redirect to https://orchestrator.test:443 was not followed", ping.Message, StringComparison.Ordinal);
        Assert.Equal(3, harness.Handler.Requests.Count);
    }

    [Fact]
    public async Task E5_answered_redirects_is_tried_three_times_like_a_server_error_then_fails()
    {
        await using var harness = new ApiHarness();
        harness.Handler.Respond = _ => RedirectTo(HttpStatusCode.Found, Elsewhere);

        var download = harness.Api.DownloadOperationAsync("op-1", CancellationToken.None);
        for (var i = 0; i < 2; i++)
        {
            var pause = await harness.Time.NextTimerAsync(due => due < TimeSpan.FromSeconds(10), "the pause before the next E5 attempt");
            harness.Time.Advance(pause);
        }

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => download.WaitAsync(Pulse.DefaultTimeout));
        Assert.Equal(HttpStatusCode.Found, error.StatusCode);
        Assert.Equal(3, harness.Handler.Requests.Count);
    }

    [Theory]
    [InlineData("http://orchestrator.test/prefix/api/v1/agent/operation")] // another scheme (and port)
    [InlineData("https://elsewhere.test/prefix/api/v1/agent/operation")] // another host
    [InlineData("https://orchestrator.test:8443/prefix/api/v1/agent/operation")] // another port
    public async Task The_header_handler_refuses_a_request_for_another_origin_and_sends_nothing(string uri)
    {
        await using var harness = new ApiHarness();
        using var client = harness.StreamClient();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync(new Uri(uri)));

        Assert.Contains("is not for the configured orchestrator (https://orchestrator.test:443)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiHarness.TokenSecret, error.Message, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task The_header_handler_sends_the_credential_to_the_configured_origin_whatever_the_case_of_its_host()
    {
        await using var harness = new ApiHarness();
        using var client = harness.StreamClient();

        using var response = await client.GetAsync(new Uri("https://ORCHESTRATOR.test:443/prefix/stream"));

        Assert.Equal(ApiHarness.TokenSecret, harness.SingleRequest.Header(AgentHeadersHandler.TokenHeader));
    }

    private static HttpResponseMessage RedirectTo(HttpStatusCode status, string location)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.TryAddWithoutValidation("Location", location);
        return response;
    }
}
