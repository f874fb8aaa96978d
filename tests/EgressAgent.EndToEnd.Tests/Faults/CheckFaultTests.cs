using System.Diagnostics;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>Contract §10: <c>check</c> ends within the E6 timeout plus 2 s, whatever the server does.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class CheckFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(3);

    public static TheoryData<string> Faults => ["stall after headers", "stall mid-body", "half-open"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Check_against_a_server_that_never_finishes_its_answer_exits_1_within_the_E6_timeout_plus_2s(string fault)
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var rule = proxy.When(ProxiedEndpoints.IsPing, fault switch
        {
            "stall after headers" => ProxyFault.StallAfterHeaders(),
            "stall mid-body" => ProxyFault.StallAfterBodyBytes(5),
            _ => ProxyFault.HalfOpen(),
        });
        using var data = new TempDirectory();
        var settings = AgentSettings.For(emulator, data.Path).Through(proxy).Set("Orchestrator:Timeouts:Ping", "00:00:03");

        var clock = Stopwatch.StartNew();
        await using var agent = AgentProcess.Start(settings, output, "check");
        var exited = ExitWatch.ExitedAtAsync(agent.Id, clock, Bound);
        var exitCode = await agent.WaitForExitAsync(Bound);
        var elapsed = await exited;

        Assert.Equal(1, exitCode);
        // Measured from the launch: the process's own start-up is inside the bound too.
        Assert.True(elapsed < PingTimeout + TimeSpan.FromSeconds(2), $"check took {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(1, rule.Matched);
        Assert.Contains(agent.ErrorLines, l => l.Contains("not reachable", StringComparison.Ordinal) && l.Contains("E6 did not complete within", StringComparison.Ordinal));
        Assert.DoesNotContain(agent.Lines, l => l.Contains(EmulatorCredential.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_through_a_proxy_that_passes_everything_is_reachable()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        using var data = new TempDirectory();
        var settings = AgentSettings.For(emulator, data.Path).Through(proxy).Set("Orchestrator:Timeouts:Ping", "00:00:03");

        await using var agent = AgentProcess.Start(settings, output, "check");

        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
        Assert.Single(proxy.Requests, ProxiedEndpoints.IsPing);
        Assert.Contains(agent.Lines, l => l.Contains("\"ok\":true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreadable_endpoint_timeout_is_a_configuration_error_naming_its_key()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var settings = AgentSettings.For(emulator, data.Path).Set("Orchestrator:Timeouts:Ping", "soon");

        await using var agent = AgentProcess.Start(settings, output, "check");

        Assert.Equal(2, await agent.WaitForExitAsync(Bound));
        Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Orchestrator:Timeouts:Ping", StringComparison.Ordinal) && l.Contains("'soon'", StringComparison.Ordinal));
        Assert.Empty(emulator.Requests);
    }
}
