using System.Diagnostics.CodeAnalysis;
using EgressAgent.Application.Configuration;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Application.ResultStorage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EgressAgent.Host.Composition;

/// <summary>
/// Every section of the <c>EgressAgent</c> configuration: bound on its own, validated by its own
/// FluentValidation validator on start, and its values checked for readability (docs/adr/0028).
/// One concrete <c>BindConfiguration</c> per section, as the configuration-binding source generator needs.
/// </summary>
internal static class AgentOptionsRegistration
{
    public static IServiceCollection AddAgentOptions(this IServiceCollection services)
    {
        services.AddOptions<OrchestratorOptions>().BindConfiguration(OrchestratorOptions.SectionName)
            .ValidateWithFluentValidation<OrchestratorOptions, OrchestratorOptionsValidator>().CheckValues();
        services.AddOptions<EndpointTimeoutOptions>().BindConfiguration(EndpointTimeoutOptions.SectionName)
            .ValidateWithFluentValidation<EndpointTimeoutOptions, EndpointTimeoutOptionsValidator>().CheckValues();
        services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.SectionName)
            .ValidateWithFluentValidation<EventsOptions, EventsOptionsValidator>().CheckValues();
        services.AddOptions<OperationsOptions>().BindConfiguration(OperationsOptions.SectionName)
            .ValidateWithFluentValidation<OperationsOptions, OperationsOptionsValidator>().CheckValues();
        services.AddOptions<HeartbeatOptions>().BindConfiguration(HeartbeatOptions.SectionName)
            .ValidateWithFluentValidation<HeartbeatOptions, HeartbeatOptionsValidator>().CheckValues();
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName)
            .ValidateWithFluentValidation<ShutdownOptions, ShutdownOptionsValidator>().CheckValues();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName)
            .ValidateWithFluentValidation<StorageOptions, StorageOptionsValidator>().CheckValues();
        services.AddOptions<ResultsOptions>().BindConfiguration(ResultsOptions.SectionName)
            .ValidateWithFluentValidation<ResultsOptions, ResultsOptionsValidator>().CheckValues();
        services.AddOptions<ResultStorageOptions>().BindConfiguration(ResultStorageOptions.SectionName)
            .ValidateWithFluentValidation<ResultStorageOptions, ResultStorageOptionsValidator>().CheckValues();
        services.AddOptions<ConnectionsOptions>().BindConfiguration(ConnectionsOptions.SectionName)
            .ValidateWithFluentValidation<ConnectionsOptions, ConnectionsOptionsValidator>().CheckValues();
        services.AddOptions<ConnectorsOptions>().BindConfiguration(ConnectorsOptions.SectionName)
            .Configure<IConfiguration>(ConnectorTypeSettings.Read)
            .ValidateWithFluentValidation<ConnectorsOptions, ConnectorsOptionsValidator>().CheckValues();
        services.AddSingleton<IConfigurationValueCheck, ConnectorTypeSettings>();
        services.AddOptions<ManagementOptions>().BindConfiguration(ManagementOptions.SectionName)
            .ValidateWithFluentValidation<ManagementOptions, ManagementOptionsValidator>().CheckValues();
        services.AddOptions<NetworkOptions>().BindConfiguration(NetworkOptions.SectionName)
            .Configure<IConfiguration>(BlockedCidrsList.Read)
            .ValidateWithFluentValidation<NetworkOptions, NetworkOptionsValidator>().CheckValues();
        return services;
    }

    private static void CheckValues<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(this OptionsBuilder<T> builder)
        where T : class, IAgentOptionsSection =>
        builder.Services.AddSingleton<IConfigurationValueCheck, ConfigurationValueCheck<T>>();
}
