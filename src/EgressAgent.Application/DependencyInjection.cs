using EgressAgent.Application.Connectors;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Capacity;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application;

public static class DependencyInjection
{
    /// <summary>
    /// The application layer: event catalog and handlers (found by scanning), the work pipeline,
    /// the shutdown coordinator and the loops, each an <see cref="IAgentLoop"/> the host runs.
    /// MediatR 5.1.0 has no AddMediatR, so it is wired here.
    /// </summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        var assembly = typeof(DependencyInjection).Assembly;

        services.AddSingleton(new EventCatalog([assembly]));
        services.AddSingleton<EventDispatcher>();
        services.AddSingleton<IEventDispatcher>(sp => sp.GetRequiredService<EventDispatcher>());
        services.AddScoped<ServiceFactory>(sp => sp.GetService!);
        services.AddScoped<IMediator, ResilientMediator>();
        services.Scan(scan => scan
            .FromAssemblies(assembly)
            .AddClasses(c => c.AssignableTo(typeof(IOrchestratorEventHandler<>)), publicOnly: false)
            .AsImplementedInterfaces(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(INotificationHandler<>))
            .WithScopedLifetime());
        services.Decorate(typeof(INotificationHandler<>), typeof(ObservedEventHandler<>));
        services.AddValidatorsFromAssembly(assembly, ServiceLifetime.Singleton, includeInternalTypes: true);

        services.AddSingleton(sp => new InFlightCounter(sp.GetRequiredService<IOptions<OperationsOptions>>().Value.Workers));
        services.AddSingleton<PipelineTokens>();
        services.AddSingleton<RequestActivity>();
        services.AddSingleton(sp =>
        {
            var counters = new AgentCounters();
            var outbox = sp.GetRequiredService<IResultOutbox>();
            var storage = sp.GetRequiredService<IStorageHealth>();
            counters.ObservePipeline(sp.GetRequiredService<InFlightCounter>(), () => outbox.PendingCount, () => storage.IsDegraded);
            return counters;
        });
        services.AddSingleton<CredentialRejections>();
        services.AddSingleton<WorkSignal>();
        services.AddSingleton<IWorkSignal>(sp => sp.GetRequiredService<WorkSignal>());
        services.AddSingleton<WorkQueue>();
        services.AddSingleton<AssignedWorkIntake>();
        services.AddSingleton<OperationPoller>();
        services.AddSingleton<CredentialsResolver>();
        services.AddSingleton<ClientCache>();
        services.AddSingleton<ConnectorProgramExecutor>();
        services.AddSingleton<OperationRouter>();
        services.AddSingleton<OperationRunner>();
        services.AddSingleton<WorkerSupervisor>();
        services.AddSingleton<WorkerPool>();
        services.AddSingleton<IdleMemoryTrim>();
        services.AddSingleton<UploadHealth>();
        services.AddSingleton<OutgoingResults>();
        services.AddSingleton<ResultPublisher>();
        services.AddSingleton<HeartbeatPump>();
        services.AddSingleton<IBackpressure, Backpressure>();
        services.AddSingleton<IWorkPipeline, WorkPipeline>();
        services.AddSingleton<IShutdownCoordinator, ShutdownCoordinator>();
        services.AddSingleton<StorageHealth>();
        services.AddSingleton<IStorageHealth>(sp => sp.GetRequiredService<StorageHealth>());
        services.AddSingleton<DurableResultWriter>();
        services.AddSingleton<LoopHeartbeats>();
        services.AddSingleton<ILoopProgress>(sp => sp.GetRequiredService<LoopHeartbeats>());
        services.AddSingleton<BacklogGate>();
        services.AddSingleton<EventStreamLoop>();
        services.AddSingleton<CredentialWatchdog>();
        services.TryAddSingleton(TimeProvider.System);

        // The loops the host runs for the life of the process, in the order they start.
        services.AddSingleton<IAgentLoop>(sp => sp.GetRequiredService<ResultPublisher>());
        services.AddSingleton<IAgentLoop>(sp => sp.GetRequiredService<WorkerPool>());
        services.AddSingleton<IAgentLoop>(sp => sp.GetRequiredService<HeartbeatPump>());
        services.AddSingleton<IAgentLoop>(sp => sp.GetRequiredService<OperationPoller>());
        services.AddSingleton<IAgentLoop>(sp => sp.GetRequiredService<EventStreamLoop>());
        services.AddSingleton<IAgentLoop>(sp => sp.GetRequiredService<CredentialWatchdog>());
        services.AddSingleton<IAgentLoop>(sp => sp.GetRequiredService<IdleMemoryTrim>());
        return services;
    }
}
