using System.Text.RegularExpressions;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.EndToEnd;

/// <summary>Configuration problems, the reference agent's aliases, and the commands besides <c>run</c> (docs/protocol.md §8).</summary>
public sealed partial class ConfigurationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan QuickExitBound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Every_configuration_problem_is_listed_on_stderr_and_the_exit_code_is_2()
    {
        using var data = new TempDirectory();
        var settings = new AgentSettings()
            .Set("Orchestrator:TokenId", EmulatorCredential.Id)
            .Set("Orchestrator:TokenSecret", EmulatorCredential.Secret)
            .Set("Operations:Workers", "0")
            .Set("Operations:PollInterval", "00:02:00")
            .Set("Operations:ActivityTimeout", "00:02:00")
            .Set("Storage:DataDirectory", data.Path);
        await using var agent = AgentProcess.Start(settings, output);

        Assert.Equal(2, await agent.WaitForExitAsync(QuickExitBound));
        var errors = agent.ErrorLines;
        var baseUrl = Assert.Single(errors, l => l.Contains("BaseUrl", StringComparison.Ordinal));
        var workers = Assert.Single(errors, l => l.Contains("Workers", StringComparison.Ordinal));
        var pollInterval = Assert.Single(errors, l => l.Contains("PollInterval", StringComparison.Ordinal));
        Assert.Equal(3, new[] { baseUrl, workers, pollInterval }.Distinct().Count());
        Assert.DoesNotContain(agent.Lines, l => l.Contains(EmulatorCredential.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_configuration_contacts_nothing()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Set("Operations:Workers", "0"));

        Assert.Equal(2, await agent.WaitForExitAsync(QuickExitBound));
        Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Operations:Workers", StringComparison.Ordinal));
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task An_unreadable_duration_is_reported_by_its_key()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Set("Shutdown:Budget", "soon"));

        Assert.Equal(2, await agent.WaitForExitAsync(QuickExitBound));
        Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Shutdown:Budget", StringComparison.Ordinal) && l.Contains("'soon'", StringComparison.Ordinal));
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task Every_unreadable_value_is_reported_by_its_key_together_with_the_other_problems()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Orchestrator:Timeouts:Ping", "abc")
            .Set("Operations:Workers", "x")
            .Set("Events:Enabled", "maybe")
            .Set("Results:TimeToLive", "-00:00:01"));

        Assert.Equal(2, await agent.WaitForExitAsync(QuickExitBound));
        Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Orchestrator:Timeouts:Ping has an unreadable value 'abc'", StringComparison.Ordinal));
        Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Operations:Workers has an unreadable value 'x'", StringComparison.Ordinal));
        Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Events:Enabled has an unreadable value 'maybe'", StringComparison.Ordinal));
        Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Results:TimeToLive must be a positive duration", StringComparison.Ordinal));
        Assert.Contains(agent.ErrorLines, l => l.Contains("Invalid configuration (4 problem(s))", StringComparison.Ordinal));
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task The_reference_agents_environment_variables_configure_a_working_agent()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var settings = AgentSettings.For(emulator, data.Path)
            .Remove("Orchestrator:BaseUrl")
            .Remove("Orchestrator:TokenId")
            .Remove("Orchestrator:TokenSecret")
            .Remove("Operations:Workers")
            .Remove("Operations:PollInterval");
        settings.Environment["BACKEND_SERVICE_URL"] = emulator.BaseUrl.ToString();
        settings.Environment["LOCAL_TOKEN_ID"] = EmulatorCredential.Id;
        settings.Environment["LOCAL_TOKEN_SECRET"] = EmulatorCredential.Secret;
        settings.Environment["MCD_OPS_RUNNER_THREAD_COUNT"] = "3";
        settings.Environment["MCD_POLL_INTERVAL_SECONDS"] = "1";
        await using var agent = AgentProcess.Start(settings, output);

        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        await emulator.RunEchoThroughStreamAsync("via-aliases", Bound);
        // Idle polls a second apart (the default is a minute) show the poll interval alias applied.
        await emulator.WaitForNthRequestAsync(r => r.Path == EmulatorWaits.OperationPath && r.StatusCode == 204, 4, Bound);

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Contains(agent.Lines, l => l.Contains($"started against {emulator.BaseUrl} with 3 workers", StringComparison.Ordinal));
        Assert.All(emulator.Requests, r => Assert.Equal((EmulatorCredential.Id, EmulatorCredential.Secret), (r.TokenId, r.Token)));
    }

    [Fact]
    public async Task Check_prints_the_ping_answer_and_exits_0_when_the_orchestrator_is_reachable()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(AgentSettings.For(emulator, data.Path), output, "check");

        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
        var ping = Assert.Single(emulator.Requests);
        Assert.Equal("/api/v1/test/ping", ping.Path);
        Assert.Contains(agent.Lines, l => l.Contains("\"ok\":true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_exits_1_when_the_orchestrator_is_unreachable()
    {
        using var data = new TempDirectory();
        var settings = new AgentSettings()
            .Set("Orchestrator:BaseUrl", "http://127.0.0.1:9/")
            .Set("Orchestrator:TokenId", EmulatorCredential.Id)
            .Set("Orchestrator:TokenSecret", EmulatorCredential.Secret)
            .Set("Storage:DataDirectory", data.Path);
        await using var agent = AgentProcess.Start(settings, output, "check");

        Assert.Equal(1, await agent.WaitForExitAsync(Bound));
        Assert.Contains(agent.ErrorLines, l => l.Contains("not reachable", StringComparison.Ordinal));
        Assert.DoesNotContain(agent.Lines, l => l.Contains(EmulatorCredential.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Help_lists_every_command_and_exits_0()
    {
        await using var agent = AgentProcess.Start(new AgentSettings(), output, "--help");

        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
        foreach (var command in new[] { "run", "demo", "emulator", "check" })
        {
            Assert.Contains(agent.Lines, l => Regex.IsMatch(l, $@"^\s+{command}\s", RegexOptions.None, TimeSpan.FromSeconds(1)));
        }
    }

    [Fact]
    public async Task Demo_needs_no_configuration_delivers_every_sample_and_exits_0()
    {
        // No EgressAgent keys at all: the demo configures itself.
        await using var agent = AgentProcess.Start(new AgentSettings(), output, "demo");

        Assert.Equal(0, await agent.WaitForExitAsync(QuickExitBound));
        var summary = agent.Lines.Select(l => DemoSummary().Match(l)).Single(m => m.Success);
        Assert.Equal(summary.Groups["done"].Value, summary.Groups["total"].Value);
        Assert.True(int.Parse(summary.Groups["total"].Value, provider: null) >= 12, summary.Value);
        // The orchestrator's real shape (docs/protocol.md §12): a commands program with credentials, run against SQLite.
        Assert.Contains(agent.Lines, l => l.Contains("ok ", StringComparison.Ordinal) && l.Contains("sqlite program: engineers", StringComparison.Ordinal) && l.Contains("rowcount 2", StringComparison.Ordinal));
        // A network diagnostic (docs/protocol.md §14): the emulator's own port, and the metadata address refused.
        Assert.Contains(agent.Lines, l => l.Contains("ok ", StringComparison.Ordinal) && l.Contains("network: orchestrator port open", StringComparison.Ordinal) && l.Contains("is open on 127.0.0.1", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("err", StringComparison.Ordinal) && l.Contains("cloud metadata refused", StringComparison.Ordinal) && l.Contains("DestinationBlocked", StringComparison.Ordinal));
        // No object store configured: the offload sample says why it is skipped, and the result over its limit is the §5.3 failure.
        Assert.Single(agent.Lines, l => l.StartsWith("Offload sample skipped: no Results:Storage:Provider configured; set MCD_STORAGE", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("result over its size limit", StringComparison.Ordinal) && l.Contains("ResultTooLarge", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"(?<done>\d+)/(?<total>\d+) results")]
    private static partial Regex DemoSummary();
}
