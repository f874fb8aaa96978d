using System.Net.Http.Headers;
using System.Text;
using EgressAgent.Emulator;

namespace EgressAgent.Soak.Tests;

/// <summary>The soak finds its secrets where they leak, and names them without printing them.</summary>
public sealed class SecretScanTests
{
    [Fact]
    public void Each_secret_is_found_by_name_in_text_that_holds_it_and_nothing_in_text_that_does_not()
    {
        var secrets = SoakSecrets.Create(mariaDbPassword: "maria-password-1234");

        Assert.Equal(
            ["orchestrator token", "connection string password", "MariaDB password"],
            secrets.NamesFoundIn($"x {secrets.OrchestratorToken} y Password={secrets.ConnectionStringPassword}; maria-password-1234"));
        Assert.Equal(["connector password"], secrets.NamesFoundIn($"\"password\":\"{secrets.ConnectorPassword}\""));
        Assert.Empty(secrets.NamesFoundIn("\"password\":\"__redacted__\""));
    }

    [Fact]
    public async Task A_result_that_carries_a_secret_is_reported_naming_the_operation_not_the_secret()
    {
        var secrets = SoakSecrets.Create(mariaDbPassword: null);
        await using var emulator = await OrchestratorEmulator.StartAsync(new EmulatorOptions { TokenId = "id", TokenSecret = "secret" });
        var recorder = new HistoryRecorder(emulator, secrets);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        foreach (var (id, message) in new[] { ("leaky", $"could not connect with {secrets.ConnectorPassword}"), ("clean", "could not connect with __redacted__") })
        {
            using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(emulator.BaseUrl, $"api/v1/agent/operations/{id}/result"))
            {
                Content = new StringContent($$$"""{"result":{"__mcd_error__":"{{{message}}}","__mcd_trace_id__":"t-{{{id}}}"}}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            put.Headers.Add("x-mcd-id", "id");
            put.Headers.Add("x-mcd-token", "secret");
            using var answer = await http.SendAsync(put);
            answer.EnsureSuccessStatusCode();
        }

        var finding = Assert.Single(recorder.Secrets);
        Assert.Equal(("connector password", "the result of leaky"), (finding.SecretName, finding.Where));
        Assert.DoesNotContain(secrets.ConnectorPassword, finding.ToString(), StringComparison.Ordinal);
        Assert.Equal(["t-leaky", "t-clean"], recorder.Results.Select(r => r.TraceId));
    }
}
