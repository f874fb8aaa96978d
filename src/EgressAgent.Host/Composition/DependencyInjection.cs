using EgressAgent.Application.Health;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain;
using EgressAgent.Host.Lifetime;
using EgressAgent.Host.Logging;
using EgressAgent.Host.Management;
using EgressAgent.Host.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Host.Composition;

internal static class DependencyInjection
{
    /// <summary>Slack beyond the sequence's own bound (budget + 1.5 s) before the host gives up on it.</summary>
    private static readonly TimeSpan HostStopSlack = TimeSpan.FromSeconds(2);

    /// <summary>
    /// What makes the layers a process: the instance id, the signal-aware lifetime, the host's
    /// stop budget, the management endpoints and the hosted loops.
    /// </summary>
    public static IServiceCollection AddAgentHosting(this IServiceCollection services, IConfiguration configuration)
    {
        // Read while registering, from a configuration already validated (AgentConfiguration.Validate).
        var management = configuration.GetSection(ManagementOptions.SectionName).Get<ManagementOptions>() ?? new();
        services.AddSingleton(InstanceId.New());
        services.AddSingleton<IProcessLifetime, HostApplicationLifetimeAdapter>();
        services.AddSingleton<IHostLifetime, SignalLifetime>();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((o, shutdown) =>
        {
            o.ShutdownTimeout = shutdown.Value.Budget + HostStopSlack;
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        services.AddManagement(management); // first: stopped after the loops it watches
        services.AddSingleton<AgentLoopsService>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentLoopsService>()); // every IAgentLoop of the application
        services.AddHostedService<AgentLifecycleService>(); // last: stopped first, see its summary
        return services;
    }

    public static ILoggingBuilder AddAgentConsole(this ILoggingBuilder logging)
    {
        logging.ClearProviders();
        return logging.AddAgentConsoleFromConfiguration();
    }
}
