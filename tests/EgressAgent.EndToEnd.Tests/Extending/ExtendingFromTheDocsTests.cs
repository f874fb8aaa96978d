using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Deploy;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Extending;

/// <summary>
/// The extension promise, kept by building it: the three files docs/adding-an-event-handler.md
/// shows and the one file docs/adding-an-executor.md shows, dropped into a copy of the checkout
/// with nothing else edited, pass the architecture tests and build into an agent that decodes,
/// validates and handles the new event and runs the new operation (docs/adr/0052) — a JIT build in
/// the JIT pass, a NativeAOT publish in the native pass, where trimming and the source-generated
/// JSON metadata must keep the new event. Slow (a build of its own), so each build runs once.
/// </summary>
public sealed partial class ExtendingFromTheDocsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BuildBound = TimeSpan.FromMinutes(8);

    // A NativeAOT publish of a clean copy takes about five minutes on two idle cores; the native
    // pass runs other end-to-end tests beside it.
    private static readonly TimeSpan PublishBound = TimeSpan.FromMinutes(12);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>The tracked top-level entries of a clean clone: what the build and the architecture tests read.</summary>
    private static readonly string[] CloneFiles = [".editorconfig", ".gitignore", "Directory.Build.props", "Directory.Packages.props", "EgressAgent.sln", "README.md", "global.json"];

    private static readonly string[] CloneDirectories = [".ci", "build", "deploy", "docs", "src", "tests"];

    /// <summary>What a build or a test run leaves in a checkout; a clean clone has none of it.</summary>
    private static readonly string[] BuildOutput = ["bin", "obj", "TestResults", "BenchmarkDotNet.Artifacts"];

    [JitPassFact]
    public async Task The_guides_files_alone_pass_the_architecture_tests_and_make_a_JIT_agent_that_handles_the_event_and_runs_the_operation()
    {
        using var copy = new TempDirectory();
        WriteCloneWithGuideFiles(copy.Path);

        // One build for both: the architecture tests reference the Host, so theirs builds the agent too.
        var (exitCode, buildLog) = await DotnetAsync(copy.Path, BuildBound, "build", "tests/EgressAgent.ArchitectureTests", "-c", "Release");
        Assert.True(exitCode == 0, $"the copy with the guide's files does not build:\n{Tail(buildLog)}");

        // The architecture tests check what the scenario cannot: file placement, names, validators, ports.
        var (testExitCode, testLog) = await DotnetAsync(copy.Path, BuildBound, "test", "tests/EgressAgent.ArchitectureTests", "-c", "Release", "--no-build");
        Assert.True(testExitCode == 0, $"the copy's architecture tests fail with the guide's files:\n{Tail(testLog)}");
        var summary = ArchitectureTestSummary().Match(testLog);
        Assert.True(summary.Success, $"no run of the copy's architecture tests with tests passed and none failed:\n{Tail(testLog)}");
        output.WriteLine(summary.Value);

        var built = Path.Combine(copy.Path, "src", "EgressAgent.Host", "bin", "Release", "net10.0");
        await AgentHandlesTheEventAndRunsTheOperationAsync(s => s.HostAssembly = Path.Combine(built, "EgressAgent.Host.dll"));
    }

    [NativePassFact]
    public async Task The_guides_files_alone_make_a_native_agent_that_handles_the_event_and_runs_the_operation()
    {
        using var copy = new TempDirectory();
        var added = WriteCloneWithGuideFiles(copy.Path);

        // Exactly as .ci/run publishes the native agent.
        var published = Path.Combine(copy.Path, "native");
        var (exitCode, publishLog) = await DotnetAsync(copy.Path, PublishBound,
            "publish", "src/EgressAgent.Host", "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-p:CppCompilerAndLinker=gcc", "-o", published);
        Assert.True(exitCode == 0, $"the copy with the guide's files does not publish natively:\n{Tail(publishLog)}");

        // Third-party assemblies report trim and AOT warnings of their own (they are not errors);
        // none may come from the repository's code or name a type the guides add.
        var newTypes = added.Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();
        var warnings = publishLog.Split('\n').Where(l => l.Contains(" warning IL", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        output.WriteLine($"{warnings.Count} distinct IL warning lines in the copy's publish log");
        Assert.DoesNotContain(warnings, l => l.TrimStart().StartsWith(copy.Path, StringComparison.Ordinal) || newTypes.Any(t => l.Contains(t, StringComparison.Ordinal)));

        await AgentHandlesTheEventAndRunsTheOperationAsync(s => s.NativeExecutable = Path.Combine(published, "EgressAgent.Host"));
    }

    /// <summary>
    /// The scenario both builds must pass: an invalid <c>maintenance</c> event skipped by the guide's
    /// validator, a valid one handled, and <c>clock/now</c> run to a result. The agent refuses to
    /// start when an event has no generated JSON metadata, and the native one cannot decode without
    /// it: the handled event shows that trimming kept the record, its metadata, validator and handler.
    /// </summary>
    private async Task AgentHandlesTheEventAndRunsTheOperationAsync(Action<AgentSettings> agentBuiltFromTheCopy)
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, agentBuiltFromTheCopy);
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

    /// <summary>A clean clone of the checkout in <paramref name="target"/>, plus the guides' four new files (their paths returned).</summary>
    private static List<string> WriteCloneWithGuideFiles(string target)
    {
        var root = DeployFiles.RepositoryRoot;
        foreach (var file in CloneFiles)
        {
            File.Copy(Path.Combine(root, file), Path.Combine(target, file));
        }

        foreach (var directory in CloneDirectories)
        {
            CopyTree(Path.Combine(root, directory), Path.Combine(target, directory));
        }

        var added = WriteGuideFiles(target, "adding-an-event-handler.md").Concat(WriteGuideFiles(target, "adding-an-executor.md")).ToList();
        Assert.Equal(4, added.Count);
        return added;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(from).Where(d => !BuildOutput.Contains(Path.GetFileName(d), StringComparer.Ordinal)))
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

    private async Task<(int ExitCode, string Log)> DotnetAsync(string workingDirectory, TimeSpan bound, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
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

        // MSBuild nodes left running would outlive the copy and hold memory on a small machine.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);

            // Killed, the process closes its pipes: what it wrote shows where it was.
            var written = await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(10));
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {bound}:\n{Tail(string.Concat(written))}");
        }

        output.WriteLine($"dotnet {arguments[0]} {arguments[1]}: exit {process.ExitCode} after {clock.Elapsed.TotalSeconds:F0} s");
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));

    // The summary line dotnet test prints for a run: "Passed!  - Failed:     0, Passed:    94, ...".
    [GeneratedRegex(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+[1-9][0-9]*", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ArchitectureTestSummary();

    [GeneratedRegex(@"```csharp\n// (?<path>src/[^\n]+\.cs)\n(?<code>.*?)```", RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex CodeBlock();
}
