using EgressAgent.Application.Configuration;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Lifecycle;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EgressAgent.Host.Workers;

/// <summary>Ends the process with exit code 3 once every request was rejected for AuthFailureExitAfter (docs/protocol.md §4).</summary>
internal sealed class CredentialWatchdogWorker(
    CredentialRejections rejections,
    IShutdownCoordinator shutdown,
    IOptions<OrchestratorOptions> options,
    TimeProvider timeProvider) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var limit = options.Value.AuthFailureExitAfter;
        using var timer = new PeriodicTimer(CheckEvery, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (rejections.RejectedFor(limit))
            {
                shutdown.RequestShutdown(ShutdownTrigger.CredentialsRejected, $"every request rejected for {limit}");
                return;
            }
        }
    }
}
