using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace EgressAgent.Application.Tests.Support;

/// <summary>
/// <c>AddApplication()</c> with what it needs from outside the layer: options, logging and the
/// ports the infrastructure implements (mocked here).
/// </summary>
internal static class TestContainer
{
    public static ServiceCollection Services(Action<IServiceCollection>? beforeApplication = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOptions<OrchestratorOptions>().Configure(TestOptions.SetRequired);
        services.AddSingleton(new Mock<IOrchestratorApi>().Object);
        services.AddSingleton(new Mock<IResultOutbox>().Object);
        services.AddSingleton(new Mock<IOrchestratorEventStream>().Object);
        services.AddSingleton(new Mock<IProcessLifetime>().Object);
        beforeApplication?.Invoke(services);
        services.AddApplication();
        return services;
    }

    public static ServiceProvider Build(this IServiceCollection services) =>
        services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
}
