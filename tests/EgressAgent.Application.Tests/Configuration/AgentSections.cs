using EgressAgent.Application.Configuration;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Application.Tests.Support;
using Microsoft.Extensions.Options;

namespace EgressAgent.Tests.Shared;

/// <summary>Validating the sections (tests/Shared/Configuration/AgentSections.cs) as at start.</summary>
internal sealed partial class AgentSections
{
    public static IReadOnlyList<string> Validate(Action<AgentSections>? configure = null)
    {
        var o = new AgentSections();
        TestOptions.SetRequired(o.Orchestrator);
        configure?.Invoke(o);
        var heartbeat = new FluentValidationOptions<HeartbeatOptions>(new HeartbeatOptionsValidator());
        IEnumerable<ValidateOptionsResult> results =
        [
            new FluentValidationOptions<OrchestratorOptions>(new OrchestratorOptionsValidator()).Validate(null, o.Orchestrator),
            new FluentValidationOptions<EndpointTimeoutOptions>(new EndpointTimeoutOptionsValidator()).Validate(null, o.Timeouts),
            new FluentValidationOptions<EventsOptions>(new EventsOptionsValidator()).Validate(null, o.Events),
            new FluentValidationOptions<OperationsOptions>(new OperationsOptionsValidator(new ValidatedOptions<HeartbeatOptions>(o.Heartbeat, heartbeat))).Validate(null, o.Operations),
            heartbeat.Validate(null, o.Heartbeat),
            new FluentValidationOptions<ShutdownOptions>(new ShutdownOptionsValidator()).Validate(null, o.Shutdown),
            new FluentValidationOptions<StorageOptions>(new StorageOptionsValidator()).Validate(null, o.Storage),
            new FluentValidationOptions<ResultsOptions>(new ResultsOptionsValidator()).Validate(null, o.Results),
            new FluentValidationOptions<ConnectionsOptions>(new ConnectionsOptionsValidator()).Validate(null, o.Connections),
            new FluentValidationOptions<ConnectorsOptions>(new ConnectorsOptionsValidator()).Validate(null, o.Connectors),
            new FluentValidationOptions<ManagementOptions>(new ManagementOptionsValidator()).Validate(null, o.Management),
            new FluentValidationOptions<NetworkOptions>(new NetworkOptionsValidator()).Validate(null, o.Network),
        ];
        return [.. results.Where(r => r.Failed).SelectMany(r => r.Failures!)];
    }

    /// <summary>As <c>IOptions&lt;T&gt;.Value</c> behaves with validation: throws when the section is invalid.</summary>
    private sealed class ValidatedOptions<T>(T value, IValidateOptions<T> validation) : IOptions<T>
        where T : class
    {
        public T Value
        {
            get
            {
                var result = validation.Validate(Options.DefaultName, value);
                return result.Failed ? throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures) : value;
            }
        }
    }
}
