using EgressAgent.Application.Orchestrator;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Lifecycle;
using EgressAgent.Domain.Text;
using EgressAgent.Host.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Host.Commands;

/// <summary><c>check</c>: validate the configuration, call E6 once, print the answer; 0 when reachable.</summary>
internal static class CheckCommand
{
    /// <summary>
    /// Past the E6 timeout, which already bounds the whole exchange, the most <c>check</c> waits:
    /// a backstop for anything outside the adapter's deadline, inside the contract's E6 + 2 s.
    /// </summary>
    private static readonly TimeSpan Backstop = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(IReadOnlyList<string> configurationArgs)
    {
        var configuration = new ConfigurationBuilder().AddAgentSources(configurationArgs).Build();
        var problems = AgentConfiguration.Validate(configuration);
        if (problems.Count > 0)
        {
            return ConfigurationProblems.Report(problems);
        }

        var orchestrator = configuration.GetSection(OrchestratorOptions.SectionName).Get<OrchestratorOptions>()!;
        var timeouts = configuration.GetSection(EndpointTimeoutOptions.SectionName).Get<EndpointTimeoutOptions>() ?? new();

        // No data directory lock: check touches no stored state and must work beside a running agent.
        using var host = AgentHost.CreateBuilder(configuration, LogLevel.Warning).Build();
        var baseUrl = SecretNames.WithoutUrlCredentials(orchestrator.BaseUrl!);
        var traceId = $"check-{Guid.NewGuid():N}";
        var limit = timeouts.Ping + Backstop;
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            var answer = await host.Services.GetRequiredService<IOrchestratorApi>().PingAsync(traceId, deadline.Token).WaitAsync(deadline.Token);
            Console.WriteLine($"Orchestrator reachable at {baseUrl} (trace_id {traceId}):");
            Console.WriteLine(answer);
            return ExitCodes.Graceful;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"Orchestrator not reachable at {baseUrl}: no answer within {limit}");
            return ExitCodes.Fatal;
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            await Console.Error.WriteLineAsync($"Orchestrator not reachable at {baseUrl}: {ex.GetType().Name}: {SecretNames.WithoutUrlCredentials(ex.Message, orchestrator.BaseUrl)}");
            return ExitCodes.Fatal;
        }
    }
}
