using EgressAgent.Application.Health;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Domain.Lifecycle;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Lifecycle;

/// <summary>Ends the process with exit code 3 once every request was rejected for <c>AuthFailureExitAfter</c> (docs/protocol.md §4).</summary>
internal sealed class CredentialWatchdog(
    CredentialRejections rejections,
    IShutdownCoordinator shutdown,
    IOptions<OrchestratorOptions> options,
    TimeProvider timeProvider) : IAgentLoop
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(250);

    public string Name => AgentLoops.CredentialWatchdog;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var limit = options.Value.AuthFailureExitAfter;
        using var timer = new PeriodicTimer(CheckEvery, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (rejections.RejectedFor(limit))
                {
                    shutdown.RequestShutdown(ShutdownTrigger.CredentialsRejected, $"every request rejected for {limit}");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }
}
