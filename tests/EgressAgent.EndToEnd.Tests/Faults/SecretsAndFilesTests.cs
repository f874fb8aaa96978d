using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10 "Files" and "Secrets", through the real process: the data directory it creates is
/// 0700, a token file others can read is a warning at start, and a base URL's user info is shown
/// nowhere — logs, health, metrics, logs operation, <c>check</c> — while the agent works (docs/adr/0020, 0021).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SecretsAndFilesTests(ITestOutputHelper output)
{
    private const string Password = "pa55word-URL-never-shown-5e1d";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_fresh_data_directory_and_its_outbox_are_created_0700()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var root = new TempDirectory();
        var dataDirectory = Path.Combine(root.Path, "fresh", "data");
        await using var agent = AgentProcess.Start(AgentSettings.For(emulator, dataDirectory), output);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        await emulator.RunEchoThroughStreamAsync("fresh-directory", Bound);

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(ownerOnly, File.GetUnixFileMode(dataDirectory));
        Assert.Equal(ownerOnly, File.GetUnixFileMode(Path.Combine(dataDirectory, "outbox")));
        Assert.DoesNotContain(agent.Lines, l => l.Contains("open to other users", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_file_group_and_others_can_read_is_a_warning_at_start_naming_its_path_and_mode_not_its_content()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        using var secrets = new TempDirectory();
        var tokenFile = Path.Combine(secrets.Path, "token.json");
        await File.WriteAllTextAsync(tokenFile, new JsonObject { ["mcd_id"] = EmulatorCredential.Id, ["mcd_token"] = EmulatorCredential.Secret }.ToJsonString());
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Remove("Orchestrator:TokenId")
            .Remove("Orchestrator:TokenSecret")
            .Set("Orchestrator:TokenFile", tokenFile));

        var warning = await agent.WaitForLineAsync(l => l.Contains("warn", StringComparison.Ordinal) && l.Contains(tokenFile, StringComparison.Ordinal), Bound);
        await emulator.RunEchoThroughStreamAsync("readable-token-file", Bound);

        Assert.Contains("0644", warning, StringComparison.Ordinal);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.DoesNotContain(agent.Lines, l => l.Contains(EmulatorCredential.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_file_only_its_owner_can_read_is_no_warning()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        using var secrets = new TempDirectory();
        var tokenFile = Path.Combine(secrets.Path, "token.json");
        await File.WriteAllTextAsync(tokenFile, new JsonObject { ["mcd_id"] = EmulatorCredential.Id, ["mcd_token"] = EmulatorCredential.Secret }.ToJsonString());
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Remove("Orchestrator:TokenId")
            .Remove("Orchestrator:TokenSecret")
            .Set("Orchestrator:TokenFile", tokenFile));
        await agent.WaitForLineAsync(l => l.Contains("started against", StringComparison.Ordinal), Bound);
        await emulator.RunEchoThroughStreamAsync("private-token-file", Bound);

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.DoesNotContain(agent.Lines, l => l.Contains(tokenFile, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_base_url_password_never_appears_in_logs_health_metrics_or_check_while_the_agent_works()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var plainUrl = emulator.BaseUrl.ToString();
        var urlWithPassword = plainUrl.Replace("http://", $"http://user:{Password}@", StringComparison.Ordinal);
        await using var agent = AgentProcess.Start(emulator, data, output, settings =>
        {
            settings.Set("Orchestrator:BaseUrl", urlWithPassword);
            settings.Environment["Logging__LogLevel__Default"] = "Trace";
            settings.Environment["Logging__LogLevel__Microsoft"] = "Trace";
            settings.Environment["Logging__LogLevel__System.Net.Http.HttpClient"] = "Trace";
        });
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        var echo = await emulator.RunEchoThroughStreamAsync("password-in-url", Bound);
        var health = emulator.Enqueue("/api/v1/test/health", new JsonObject { ["trace_id"] = "t-health" });
        var metrics = emulator.Enqueue("/api/v1/agent/metrics", new JsonObject());
        var logs = emulator.Enqueue("/api/v1/agent/logs", new JsonObject { ["limit"] = 5000 });
        emulator.SendEvent(new { type = "work_available" });
        var healthResult = await emulator.WaitForAcceptedResultAsync(health, Bound);
        var metricsResult = await emulator.WaitForAcceptedResultAsync(metrics, Bound);
        var logsResult = await emulator.WaitForAcceptedResultAsync(logs, Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));

        var checkSettings = AgentSettings.For(emulator, data.Path).Set("Orchestrator:BaseUrl", urlWithPassword);
        await using var check = AgentProcess.Start(checkSettings, output, "check");
        Assert.Equal(0, await check.WaitForExitAsync(Bound));
        var unreachableSettings = AgentSettings.For(emulator, data.Path).Set("Orchestrator:BaseUrl", $"http://user:{Password}@127.0.0.1:9/");
        await using var unreachable = AgentProcess.Start(unreachableSettings, output, "check");
        Assert.Equal(1, await unreachable.WaitForExitAsync(Bound));

        // The agent worked and showed the URL, without its user info, where it shows it.
        var payload = healthResult.Result!["__mcd_result__"]!;
        Assert.Equal(plainUrl, payload["backend_url"]!.GetValue<string>());
        Assert.Equal(plainUrl, payload["parameters"]!["Orchestrator:BaseUrl"]!.GetValue<string>());
        Assert.Contains("egress_operations_total", metricsResult.Result!["__mcd_result__"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("password-in-url", echo.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Contains(agent.Lines, l => l.Contains($"started against {plainUrl} ", StringComparison.Ordinal));
        Assert.Contains(check.Lines, l => l.Contains($"reachable at {plainUrl} ", StringComparison.Ordinal));
        Assert.Contains(unreachable.ErrorLines, l => l.Contains("not reachable at http://127.0.0.1:9/", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("trce", StringComparison.Ordinal)); // every level was on

        string[] outputs =
        [
            .. agent.Lines, .. check.Lines, .. unreachable.Lines,
            healthResult.RawBody, metricsResult.RawBody, logsResult.RawBody, echo.RawBody,
            .. emulator.Requests.Select(r => r.PathWithPrefix + r.Query + r.Body),
        ];
        Assert.Contains(outputs, o => o.Contains(plainUrl, StringComparison.Ordinal)); // the search finds what is there
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"user:{Password}"));
        foreach (var secret in new[] { Password, basic, EmulatorCredential.Secret })
        {
            Assert.DoesNotContain(outputs, o => o.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_base_url_the_parser_refuses_is_a_configuration_error_that_does_not_echo_the_password()
    {
        using var data = new TempDirectory();
        var settings = new AgentSettings()
            .Set("Orchestrator:BaseUrl", $"http://user:{Password}@x@127.0.0.1:9/")
            .Set("Orchestrator:TokenId", EmulatorCredential.Id)
            .Set("Orchestrator:TokenSecret", EmulatorCredential.Secret)
            .Set("Storage:DataDirectory", data.Path);
        await using var agent = AgentProcess.Start(settings, output);

        Assert.Equal(2, await agent.WaitForExitAsync(Bound));
        Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Orchestrator:BaseUrl", StringComparison.Ordinal));
        Assert.DoesNotContain(agent.Lines, l => l.Contains(Password, StringComparison.Ordinal));
    }
}
