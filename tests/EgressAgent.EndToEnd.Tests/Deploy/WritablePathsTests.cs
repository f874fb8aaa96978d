using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>
/// The recipes give the agent a read-only root filesystem with two writable places: the data
/// directory and the temp directory. The real agent, run and stopped, writes nothing to its
/// working directory or home directory (tests run as root here, so permissions would not
/// catch it: the directories are checked afterwards).
/// </summary>
public sealed class WritablePathsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_agent_writes_only_to_its_data_directory_and_the_temp_directory()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var root = new TempDirectory();
        var working = Directory.CreateDirectory(Path.Combine(root.Path, "work")).FullName;
        var home = Directory.CreateDirectory(Path.Combine(root.Path, "home")).FullName;
        var temp = Directory.CreateDirectory(Path.Combine(root.Path, "tmp")).FullName;
        var data = Path.Combine(root.Path, "data");
        var settings = AgentSettings.For(emulator, data)
            .Set("Management:Urls", "http://127.0.0.1:0"); // on in every recipe: Kestrel must not write either
        settings.WorkingDirectory = working;
        settings.Environment["HOME"] = home;
        settings.Environment["TMPDIR"] = temp;
        await using var agent = AgentProcess.Start(settings, output);

        await emulator.WaitForRequestAsync(r => r.Path == "/stream", Bound);
        await emulator.RunEchoThroughStreamAsync("t-paths", Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));

        Assert.True(Directory.Exists(data), "the agent did not use its data directory");
        Assert.Empty(Directory.EnumerateFileSystemEntries(working, "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFileSystemEntries(home, "*", SearchOption.AllDirectories));
        Assert.Equal(
            new[] { "data", "home", "tmp", "work" },
            Directory.EnumerateFileSystemEntries(root.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
