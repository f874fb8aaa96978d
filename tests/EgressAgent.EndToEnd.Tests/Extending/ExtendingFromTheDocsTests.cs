using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Deploy;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Extending;

/// <summary>
/// The extension promise, kept by building it: the three files docs/adding-an-event-handler.md
/// shows and the one file docs/adding-an-executor.md shows, dropped into a copy of src/ with
/// nothing else edited, build into an agent that decodes, validates and handles the new event and
/// runs the new operation (docs/adr/0052). Slow (a build of its own), so it runs once, in the JIT pass.
/// </summary>
public sealed partial class ExtendingFromTheDocsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BuildBound = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [JitPassFact]
    public async Task The_guides_files_alone_make_an_event_the_agent_handles_and_an_operation_it_runs()
    {
        using var copy = new TempDirectory();
        CopyBuildInputs(DeployFiles.RepositoryRoot, copy.Path);
        var added = WriteGuideFiles(copy.Path, "adding-an-event-handler.md").Concat(WriteGuideFiles(copy.Path, "adding-an-executor.md")).ToList();
        Assert.Equal(4, added.Count);

        var built = Path.Combine(copy.Path, "out");
        var (exitCode, buildLog) = await DotnetAsync(copy.Path, "build", "src/EgressAgent.Host", "-c", "Release", "-o", built, "-p:UseAppHost=false");
        Assert.True(exitCode == 0, $"the copy with the guide's files does not build:\n{Tail(buildLog)}");

        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.HostAssembly = Path.Combine(built, "EgressAgent.Host.dll"));
        await emulator.WaitForRequestAsync(r => r.Path == "/stream", Bound);
        await agent.WaitForLineAsync(l => l.Contains("Event stream connected", StringComparison.Ordinal), Bound);

        emulator.SendEvent(new { type = "maintenance", starts_at = "2026-12-08T02:00:00Z", minutes = 0 });   // fails the guide's validator
        emulator.SendEvent(new { type = "maintenance", starts_at = "2026-12-08T02:00:00Z", minutes = 30 });

        await agent.WaitForLineAsync(l => l.Contains("Maintenance at 2026-12-08T02:00:00Z for 30 min", StringComparison.Ordinal), Bound);
        Assert.Contains(agent.Lines, l => l.Contains("Minutes", StringComparison.Ordinal) && l.Contains("Skipped", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(agent.Lines, l => l.Contains("for 0 min", StringComparison.Ordinal));
        var now = emulator.Enqueue("/api/v1/agent/execute/clock/now", new JsonObject { ["trace_id"] = "t-now", ["offset_minutes"] = 60 });
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForResultsAsync(1, Bound);
        var result = Assert.Single(emulator.Results, r => r.OperationId == now).Result!;
        Assert.Equal("datetime", result["__mcd_result__"]!["now"]!["__type__"]!.GetValue<string>());
        Assert.Equal("t-now", result["__mcd_trace_id__"]!.GetValue<string>());

        emulator.SendEvent(new { type = "goodbye", reason = "test finished" });
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
    }

    /// <summary>What a build of the agent reads: src/, the props files, the SDK pin, the build scripts.</summary>
    private static void CopyBuildInputs(string root, string target)
    {
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" })
        {
            File.Copy(Path.Combine(root, file), Path.Combine(target, file));
        }

        foreach (var directory in new[] { "src", "build" })
        {
            CopyTree(Path.Combine(root, directory), Path.Combine(target, directory));
        }
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
        {
            CopyTree(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }

    /// <summary>Each ```csharp block of a guide whose first line names a new file under src/ is written there, as it stands.</summary>
    private static List<string> WriteGuideFiles(string target, string guideName)
    {
        var guide = File.ReadAllText(Path.Combine(DeployFiles.RepositoryRoot, "docs", guideName));
        var written = new List<string>();
        foreach (Match block in CodeBlock().Matches(guide))
        {
            var path = block.Groups["path"].Value;
            var destination = Path.Combine(target, path);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            Assert.False(File.Exists(destination), $"the guide's {path} would overwrite a file: new files only");
            File.WriteAllText(destination, block.Groups["code"].Value);
            written.Add(path);
        }

        return written;
    }

    private static async Task<(int ExitCode, string Log)> DotnetAsync(string workingDirectory, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(BuildBound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {BuildBound}.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));

    [GeneratedRegex(@"```csharp\n// (?<path>src/[^\n]+\.cs)\n(?<code>.*?)```", RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex CodeBlock();
}
