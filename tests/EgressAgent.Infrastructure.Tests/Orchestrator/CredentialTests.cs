using EgressAgent.Infrastructure.Credentials;
using EgressAgent.Infrastructure.Orchestrator;

namespace EgressAgent.Infrastructure.Tests.Orchestrator;

/// <summary>Contract §2: the token file is re-read for every request; its failures never leak the secret.</summary>
public sealed class CredentialTests : IDisposable
{
    private const string Secret = "s3cr3t-from-file";
    private readonly string _directory = Directory.CreateTempSubdirectory("egress-credential-tests-").FullName;

    private string TokenFile => Path.Combine(_directory, "token.json");

    [Fact]
    public async Task A_token_file_rotated_between_requests_is_used_by_the_next_request()
    {
        await File.WriteAllTextAsync(TokenFile, $"{{\"mcd_id\":\"id-1\",\"mcd_token\":\"{Secret}-1\"}}");
        await using var harness = new ApiHarness(configure: o => o.TokenFile = TokenFile);

        await harness.Api.HeartbeatAsync(CancellationToken.None);
        await File.WriteAllTextAsync(TokenFile, $"{{\"mcd_id\":\"id-2\",\"mcd_token\":\"{Secret}-2\"}}");
        await harness.Api.HeartbeatAsync(CancellationToken.None);
        var stream = await harness.FirstStreamRequestAsync();

        // The file wins over the configured TokenId/TokenSecret.
        Assert.Equal("id-1", harness.Handler.Requests[0].Header(AgentHeadersHandler.IdHeader));
        Assert.Equal(Secret + "-1", harness.Handler.Requests[0].Header(AgentHeadersHandler.TokenHeader));
        Assert.Equal("id-2", harness.Handler.Requests[1].Header(AgentHeadersHandler.IdHeader));
        Assert.Equal(Secret + "-2", harness.Handler.Requests[1].Header(AgentHeadersHandler.TokenHeader));
        Assert.Equal(Secret + "-2", stream.Header(AgentHeadersHandler.TokenHeader));
    }

    [Theory]
    [InlineData("{\"mcd_id\":\"id-1\",\"mcd_token\":\"" + Secret)] // truncated JSON quoting the secret
    [InlineData("{\"mcd_id\":\"id-1\",\"mcd_token\":\"" + Secret + "\",}")] // trailing comma
    [InlineData("{\"mcd_id\":\"\",\"mcd_token\":\"" + Secret + "\"}")] // empty id
    [InlineData("{\"mcd_id\":7,\"mcd_token\":\"" + Secret + "\"}")] // id of the wrong type
    [InlineData("[\"" + Secret + "\"]")]
    [InlineData("")]
    public async Task An_unusable_token_file_fails_the_request_without_sending_it_or_quoting_the_secret(string content)
    {
        await File.WriteAllTextAsync(TokenFile, content);
        await using var harness = new ApiHarness(configure: o => o.TokenFile = TokenFile);

        var error = await Assert.ThrowsAsync<CredentialUnavailableException>(() => harness.Api.HeartbeatAsync(CancellationToken.None));

        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task A_missing_token_file_fails_the_request_without_sending_it()
    {
        await using var harness = new ApiHarness(configure: o => o.TokenFile = Path.Combine(_directory, "absent.json"));

        var error = await Assert.ThrowsAsync<CredentialUnavailableException>(() => harness.Api.HeartbeatAsync(CancellationToken.None));

        Assert.Contains("absent.json", error.Message, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task A_token_file_that_is_a_directory_fails_the_request_without_sending_it()
    {
        await using var harness = new ApiHarness(configure: o => o.TokenFile = _directory);

        await Assert.ThrowsAsync<CredentialUnavailableException>(() => harness.Api.HeartbeatAsync(CancellationToken.None));
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task A_token_file_that_becomes_readable_again_is_used_again()
    {
        await using var harness = new ApiHarness(configure: o => o.TokenFile = TokenFile);
        await Assert.ThrowsAsync<CredentialUnavailableException>(() => harness.Api.HeartbeatAsync(CancellationToken.None));

        await File.WriteAllTextAsync(TokenFile, $"{{\"mcd_id\":\"id-3\",\"mcd_token\":\"{Secret}\"}}");
        await harness.Api.HeartbeatAsync(CancellationToken.None);

        Assert.Equal("id-3", harness.SingleRequest.Header(AgentHeadersHandler.IdHeader));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
