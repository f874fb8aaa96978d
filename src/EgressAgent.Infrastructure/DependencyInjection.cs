using System.Reflection;
using EgressAgent.Application.Configuration;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Ports;
using EgressAgent.Infrastructure.Credentials;
using EgressAgent.Infrastructure.Executors.Health;
using EgressAgent.Infrastructure.Executors.Metrics;
using EgressAgent.Infrastructure.Logging;
using EgressAgent.Infrastructure.Orchestrator;
using EgressAgent.Infrastructure.Outbox;
using EgressAgent.Infrastructure.Storage;
using EgressAgent.Infrastructure.Stream;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Refit;

namespace EgressAgent.Infrastructure;

public static class DependencyInjection
{
    /// <summary>
    /// The outside world: the Refit client and the stream's plain client (both through the
    /// header handler, neither following redirects), the file outbox, and every <see cref="IOperationExecutor"/>,
    /// <see cref="IConnectionType"/> and <see cref="ISelfHostedSecretSource"/> found by scanning this
    /// assembly and <paramref name="executorAssemblies"/>.
    /// </summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, params Assembly[] executorAssemblies)
    {
        services.AddSingleton<CredentialSource>();
        services.AddSingleton<OrchestratorUrl>();
        services.AddTransient<AgentHeadersHandler>();

        // Refit 16 wraps transport exceptions in ApiRequestException by default; the adapter's
        // retry filters (E5) and callers expect the raw HttpRequestException / CredentialUnavailableException.
        services.AddRefitGeneratedClient<IOrchestratorRestApi>(new RefitSettings { TransportExceptionFactory = static (_, exception, _) => exception })
            .ConfigureHttpClient((sp, client) =>
            {
                // Refit appends each path to the base address's path; a trailing slash would double it.
                client.BaseAddress = new Uri(sp.GetRequiredService<OrchestratorUrl>().Base.ToString().TrimEnd('/'));
                client.Timeout = Timeout.InfiniteTimeSpan; // per-endpoint timeouts live in the adapter
            })
            // A 3xx is a failed exchange, never followed: a redirect elsewhere would carry the
            // x-mcd-* credential there, and a 303 would turn a result PUT into a GET (docs/adr/0041).
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .AddHttpMessageHandler<AgentHeadersHandler>();
        services.AddSingleton<IOrchestratorApi, OrchestratorApiAdapter>();

        services.AddHttpClient(SseOrchestratorEventStream.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            // No draining of an abandoned stream for connection reuse: the old connection must be
            // gone before the next one opens (exactly one stream at a time).
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxResponseDrainSize = 0, AllowAutoRedirect = false })
            .AddHttpMessageHandler<AgentHeadersHandler>();
        services.AddSingleton<IOrchestratorEventStream, SseOrchestratorEventStream>();

        services.AddSingleton<IResultOutbox, FileResultOutbox>();
        services.TryAddSingleton<LogRingBuffer>(); // filled when the host's logging has AddAgentLogBuffer
        services.AddSingleton<FileModeWarnings>();
        services.AddSingleton<AgentMeterReader>();
        services.AddSingleton<HealthSettings>();

        // Executors, connection types and self-hosted secret sources: each is one file, found here
        // (docs/adding-an-executor.md, docs/connectors.md).
        services.Scan(scan => scan
            .FromAssemblies([typeof(DependencyInjection).Assembly, .. executorAssemblies])
            .AddClasses(c => c.AssignableTo<IOperationExecutor>(), publicOnly: false)
            .As<IOperationExecutor>()
            .WithSingletonLifetime()
            .AddClasses(c => c.AssignableTo<IConnectionType>(), publicOnly: false)
            .As<IConnectionType>()
            .WithSingletonLifetime()
            .AddClasses(c => c.AssignableTo<ISelfHostedSecretSource>(), publicOnly: false)
            .As<ISelfHostedSecretSource>()
            .WithSingletonLifetime());
        return services;
    }
}
