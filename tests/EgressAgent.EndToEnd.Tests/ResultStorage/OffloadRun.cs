using EgressAgent.EndToEnd.Tests.Connectors;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Emulator;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.ResultStorage;

/// <summary>
/// Runs operations through the real agent process against the emulator, as <see cref="ConnectorRun"/>
/// does, and keeps each accepted result as the emulator recorded it: the emulator follows every
/// published location before it accepts the result, so the recording holds the offloaded body.
/// </summary>
internal static class OffloadRun
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    public static async Task<OffloadRunResult> RunAsync(
        ITestOutputHelper output,
        IReadOnlyDictionary<string, ConnectorOperation> operations,
        Action<AgentSettings> configure)
    {
        var emulatorOptions = EmulatorCredential.Options();
        emulatorOptions.Log = line => output.WriteLine("[emulator] " + line);
        await using var emulator = await OrchestratorEmulator.StartAsync(emulatorOptions);
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, settings =>
        {
            settings.Environment["Logging__LogLevel__Default"] = "Debug";
            configure(settings);
        });
        await emulator.WaitForRequestAsync(r => r.Path == "/stream", Bound);

        var ids = operations.ToDictionary(
            o => o.Key,
            o => o.Value.Credentials is { } credentials
                ? emulator.EnqueueWithCredentials(o.Value.Path, o.Value.Operation.DeepClone().AsObject(), credentials)
                : emulator.Enqueue(o.Value.Path, o.Value.Operation.DeepClone().AsObject()));
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForResultsAsync(ids.Count, Bound);
        emulator.SendEvent(new { type = "goodbye", reason = "test finished" });
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));

        var recorded = ids.ToDictionary(i => i.Key, i => emulator.Results.Last(r => r.OperationId == i.Value && r.Accepted));
        var stored = Directory.EnumerateFiles(data.Path, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToList();
        var run = new ConnectorRunResult(recorded.ToDictionary(r => r.Key, r => r.Value.Result!), [.. agent.Lines, .. agent.ErrorLines], stored);
        return new OffloadRunResult(run, recorded);
    }
}
