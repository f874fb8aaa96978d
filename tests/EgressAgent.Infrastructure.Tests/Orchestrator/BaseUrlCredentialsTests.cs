using System.Text;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>
/// docs/adr/0021: a base URL's user info never reaches a request URI (where .NET and logging
/// handlers could print it); it is sent as Basic credentials, as the reference agent's client did.
/// </summary>
public sealed class BaseUrlCredentialsTests
{
    [Fact]
    public async Task User_info_becomes_basic_credentials_on_every_request_and_the_stream_and_leaves_the_uri()
    {
        await using var harness = new ApiHarness("https://us%40er:p%3Ass%20w@orchestrator.test/prefix");

        await harness.Api.HeartbeatAsync(CancellationToken.None);
        await harness.FirstStreamRequestAsync();

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("us@er:p:ss w"));
        Assert.Equal(2, harness.Handler.Requests.Count);
        Assert.All(harness.Handler.Requests, request =>
        {
            Assert.Equal(string.Empty, request.Uri.UserInfo);
            Assert.DoesNotContain("@", request.Uri.ToString(), StringComparison.Ordinal);
            Assert.Equal("orchestrator.test", request.Uri.Host);
            Assert.StartsWith("/prefix/", request.Uri.AbsolutePath, StringComparison.Ordinal);
            Assert.Equal(expected, request.Header("Authorization"));
        });
    }

    [Fact]
    public async Task Without_user_info_no_authorization_header_is_sent()
    {
        await using var harness = new ApiHarness("https://orchestrator.test/prefix");

        await harness.Api.HeartbeatAsync(CancellationToken.None);

        Assert.Null(harness.SingleRequest.Header("Authorization"));
    }
}
