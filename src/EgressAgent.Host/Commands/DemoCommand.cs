using System.Diagnostics;
using System.Text.Json.Nodes;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Results;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Emulator;
using EgressAgent.Host.Composition;
using EgressAgent.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Host.Commands;

/// <summary>
/// <c>demo</c>: an emulator on a free loopback port, the real agent against it, a dozen varied
/// operations (SQL queries on a small SQLite file among them, in the agent's own <c>sql/query</c>
/// form and as the commands program the orchestrator really sends; a network diagnostic and a
/// refused one), one line per result as it
/// arrives, a summary, then <c>goodbye</c>. No configuration; an object store, when the operator
/// names one, turns the result over its size limit into an offloaded one.
/// </summary>
internal static class DemoCommand
{
    private static readonly TimeSpan ResultsTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(IReadOnlyList<string> configurationArgs)
    {
        var started = Stopwatch.GetTimestamp();
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"egress-agent-demo-{Guid.NewGuid():N}");
        var demoConnection = DemoDatabase.Create(dataDirectory);
        var emulatorOptions = new EmulatorOptions();
        await using var emulator = await OrchestratorEmulator.StartAsync(emulatorOptions);

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["EgressAgent:Orchestrator:BaseUrl"] = emulator.BaseUrl.ToString(),
                ["EgressAgent:Orchestrator:TokenId"] = emulatorOptions.TokenId,
                ["EgressAgent:Orchestrator:TokenSecret"] = emulatorOptions.TokenSecret,
                ["EgressAgent:Operations:Workers"] = "4",
                ["EgressAgent:Operations:PollInterval"] = "00:00:05",
                ["EgressAgent:Shutdown:Budget"] = "00:00:05",
                ["EgressAgent:Storage:DataDirectory"] = dataDirectory,
                [$"EgressAgent:Connections:{DemoDatabase.ConnectionName}:Provider"] = "sqlite",
                [$"EgressAgent:Connections:{DemoDatabase.ConnectionName}:ConnectionString"] = demoConnection,
                // The network diagnostic sample checks the emulator on loopback (docs/adr/0047); nothing else is allowed by it.
                ["EgressAgent:Network:AllowLoopback"] = "true",
            })
            .AddInMemoryCollection(OperatorStorageSettings(configurationArgs))
            .AddCommandLine([.. configurationArgs])
            .Build();
        var problems = AgentConfiguration.Validate(configuration);
        if (problems.Count > 0)
        {
            return ConfigurationProblems.Report(problems);
        }

        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new();
        var operations = configuration.GetSection(OperationsOptions.SectionName).Get<OperationsOptions>() ?? new();

        var resultStorage = configuration.GetSection(ResultStorageOptions.SectionName).Get<ResultStorageOptions>() ?? new();
        var offloadTraceId = resultStorage.IsConfigured ? $"demo-offload-{Guid.NewGuid():N}" : null;
        var samples = DemoSamples.For(DemoDatabase.PathIn(dataDirectory), emulator.BaseUrl.Port, offloadTraceId);
        var expected = new Dictionary<string, DemoSample>();
        foreach (var sample in samples)
        {
            var operation = sample.Operation.DeepClone().AsObject();
            var id = (sample.Credentials, sample.Oversized) switch
            {
                ({ } credentials, _) => emulator.EnqueueWithCredentials(sample.Path, operation, credentials, oversized: sample.Oversized),
                (null, true) => emulator.EnqueueOversized(sample.Path, operation),
                _ => emulator.Enqueue(sample.Path, operation),
            };
            expected[id] = sample;
        }

        Console.WriteLine($"Emulator at {emulator.BaseUrl}; {samples.Count} operations queued; starting the agent with {operations.Workers} workers.");
        Console.WriteLine(resultStorage.IsConfigured
            ? $"Offload sample: one result goes to {resultStorage.ProviderName} (bucket {resultStorage.Bucket}, key {resultStorage.Prefix}/responses/{offloadTraceId}); the emulator fetches it from the published URL."
            : "Offload sample skipped: no Results:Storage:Provider configured; set MCD_STORAGE (S3, S3_COMPATIBLE, AZURE_BLOB or GCS) and its settings (docs/operations.md, Object storage) to see a result offloaded.");
        Console.WriteLine();
        var table = new DemoResultTable(expected);
        emulator.ResultReceived += table.Add;

        var builder = AgentHost.CreateBuilder(configuration, LogLevel.Warning);
        // Before the host is built, as `run` does (docs/adr/0020).
        using var dataLock = builder.Services.TryLockDataDirectory(storage.DataDirectory, out var lockProblem);
        if (dataLock is null)
        {
            return ConfigurationProblems.Report([lockProblem]);
        }

        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await emulator.WaitForResultsAsync(samples.Count, ResultsTimeout);
        }
        catch (TimeoutException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
        }

        emulator.SendEvent(new JsonObject { ["type"] = "goodbye", ["reason"] = "demo finished" });
        await host.WaitForShutdownAsync();
        var exitCode = host.Services.GetRequiredService<IShutdownCoordinator>().ExitCode;

        table.PrintSummary(Stopwatch.GetElapsedTime(started), emulator.Requests.Count(r => r.Path == "/api/v1/agent/shutdown"), exitCode);
        TryDelete(dataDirectory);
        return table.Complete ? exitCode : 1;
    }

    /// <summary>
    /// The demo configures itself, but only the operator can name an object store: its settings
    /// (<c>Results:Storage</c>, e.g. from <c>MCD_STORAGE*</c>) are read from where <c>run</c> reads
    /// them, and nothing else is, so no other setting of the environment changes the demo.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string?>> OperatorStorageSettings(IReadOnlyList<string> configurationArgs) =>
        new ConfigurationBuilder().AddAgentSources(configurationArgs).Build()
            .GetSection(ResultStorageOptions.SectionName)
            .AsEnumerable()
            .Where(e => e.Value is not null)
            .ToList();

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
