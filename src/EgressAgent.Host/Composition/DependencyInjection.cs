using EgressAgent.Application;
using EgressAgent.Application.Configuration;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Ports;
using EgressAgent.Domain;
using EgressAgent.Host.Lifetime;
using EgressAgent.Host.Logging;
using EgressAgent.Host.Management;
using EgressAgent.Host.Workers;
using EgressAgent.Infrastructure;
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

    /// <summary>The agent on a host: every layer, the hosted loops, the signal-aware lifetime.</summary>
    public static HostApplicationBuilder AddAgent(this HostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAgentOptions();
        // Read while registering, from a configuration already validated (AgentConfiguration.Validate).
        var events = builder.Configuration.GetSection(EventsOptions.SectionName).Get<EventsOptions>() ?? new();
        var management = builder.Configuration.GetSection(ManagementOptions.SectionName).Get<ManagementOptions>() ?? new();
        var instanceId = InstanceId.New();
        services.AddSingleton(instanceId);
        services.AddApplication();
        services.AddInfrastructure();

        services.AddSingleton<IProcessLifetime, HostApplicationLifetimeAdapter>();
        services.AddSingleton<IHostLifetime, SignalLifetime>();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((o, shutdown) =>
        {
            o.ShutdownTimeout = shutdown.Value.Budget + HostStopSlack;
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        services.AddManagement(management); // first: stopped after the loops it watches
        services.AddHostedService<ResultPublisherWorker>();
        services.AddHostedService<WorkerPoolWorker>();
        services.AddHostedService<HeartbeatWorker>();
        services.AddHostedService<PollerWorker>();
        if (events.Enabled)
        {
            services.AddSingleton<EventStreamLoop>();
            services.AddHostedService<EventStreamWorker>();
        }

        services.AddHostedService<CredentialWatchdogWorker>();
        services.AddHostedService<IdleMemoryTrimWorker>();
        services.AddHostedService<AgentLifecycleService>(); // last: stopped first, see its summary
        return builder;
    }

    public static ILoggingBuilder AddAgentConsole(this ILoggingBuilder logging)
    {
        logging.ClearProviders();
        return logging.AddAgentConsoleFromConfiguration();
    }
}
