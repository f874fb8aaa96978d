using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Connectors;

/// <summary>One operation as the orchestrator sends it: a path, the operation, and credentials beside it (docs/protocol.md §12.1).</summary>
internal sealed record ConnectorOperation(string Path, JsonObject Operation, JsonObject? Credentials = null);

/// <summary>
/// What a run left: each result as the orchestrator received it (and as the emulator recorded it,
/// with what it fetched from a published location), the agent's output, its data directory's files.
/// </summary>
internal sealed record ConnectorRunResult(
    IReadOnlyDictionary<string, JsonObject> Results,
    IReadOnlyList<string> Lines,
    IReadOnlyList<string> StoredText,
    IReadOnlyDictionary<string, RecordedResult> Recorded)
{
    public JsonObject this[string name] => Results[name];

    /// <summary>The body the emulator fetched from the result's location, failing with the fetch error when there is none.</summary>
    public JsonNode Fetched(string name)
    {
        var recorded = Recorded[name];
        Assert.True(recorded.LocationError is null, $"the emulator could not fetch the location of '{name}': {recorded.LocationError}");
        return Assert.IsAssignableFrom<JsonNode>(recorded.LocationBody);
    }

    /// <summary>Fails naming where a secret showed: a result, an output line or a stored file.</summary>
    public void AssertNowhere(string secret)
    {
        foreach (var (name, result) in Results)
        {
            Assert.False(result.ToJsonString().Contains(secret, StringComparison.Ordinal), $"The result of '{name}' contains a secret");
        }

        Assert.DoesNotContain(Lines, l => l.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(StoredText, t => t.Contains(secret, StringComparison.Ordinal));
    }
}

/// <summary>Runs connector operations through the real agent process against the emulator, over loopback.</summary>
internal static class ConnectorRun
{
    public const string Execute = "/api/v1/agent/execute/";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    public static async Task<ConnectorRunResult> RunAsync(
        ITestOutputHelper output,
        IReadOnlyDictionary<string, ConnectorOperation> operations,
        Action<AgentSettings>? configure = null)
    {
        var emulatorOptions = EmulatorCredential.Options();
        emulatorOptions.Log = line => output.WriteLine("[emulator] " + line);
        await using var emulator = await OrchestratorEmulator.StartAsync(emulatorOptions);
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, settings =>
        {
            settings.Environment["Logging__LogLevel__Default"] = "Debug";
            configure?.Invoke(settings);
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
        return new ConnectorRunResult(recorded.ToDictionary(r => r.Key, r => r.Value.Result!), [.. agent.Lines, .. agent.ErrorLines], stored, recorded);
    }
}
