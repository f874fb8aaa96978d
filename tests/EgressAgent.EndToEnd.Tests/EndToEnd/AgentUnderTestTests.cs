using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.EndToEnd;

/// <summary>
/// The suite tests the binary it claims to: with EGRESS_AGENT_PATH set (CI's native run, docs/adr/0026)
/// the running process is that executable, otherwise it is <c>dotnet</c> with the JIT build.
/// </summary>
public sealed class AgentUnderTestTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_running_agent_is_the_executable_EGRESS_AGENT_PATH_names_or_dotnet_when_it_is_unset()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);
        await emulator.WaitForRequestAsync(r => r.Path == "/stream", Bound);

        var executable = new FileInfo($"/proc/{agent.Id}/exe").LinkTarget;
        if (AgentProcess.NativeAgentPath is { } native)
        {
            Assert.Equal(Path.GetFullPath(native), executable);
        }
        else
        {
            Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(executable));
        }

        emulator.SendEvent(new { type = "goodbye" });
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
    }
}
