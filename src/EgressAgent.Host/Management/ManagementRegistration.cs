using EgressAgent.Application.Health;
using EgressAgent.Host.Lifetime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Systemd;

namespace EgressAgent.Host.Management;

internal static class ManagementRegistration
{
    /// <summary>
    /// Liveness, the systemd notifications and — when <c>EgressAgent:Management:Urls</c> is set —
    /// the management endpoints. Call before the agent's loops are added: hosted services start in
    /// registration order and stop in reverse, so the notifier outlives the loops it watches.
    /// </summary>
    public static IServiceCollection AddManagement(this IServiceCollection services, ManagementOptions options)
    {
        services.AddSingleton<AgentLiveness>();

        // Not AddSystemd(): it would replace SignalLifetime and the console format (docs/adr/0025).
        services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddHostedService<SystemdNotifications>();

        if (ManagementUrls.Split(options.Urls).Count > 0)
        {
            services.AddSingleton<LivenessCheck>();
            services.AddSingleton<StorageReadiness>();
            services.AddSingleton<OrchestratorReadiness>();
            services.AddSingleton<ShutdownReadiness>();
            services.AddSingleton<ManagementServer>(); // started by `run` before the host (AgentHost.RunAsync)
        }

        return services;
    }
}
