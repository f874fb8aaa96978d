using EgressAgent.Application.Configuration;
using FluentValidation;

namespace EgressAgent.Application.Orchestrator;

public sealed class EndpointTimeoutOptionsValidator : AbstractValidator<EndpointTimeoutOptions>
{
    public EndpointTimeoutOptionsValidator()
    {
        RuleFor(o => o.FetchOperation).PositiveDuration("EgressAgent:Orchestrator:Timeouts:FetchOperation");
        RuleFor(o => o.PublishResult).PositiveDuration("EgressAgent:Orchestrator:Timeouts:PublishResult");
        RuleFor(o => o.Heartbeat).PositiveDuration("EgressAgent:Orchestrator:Timeouts:Heartbeat");
        RuleFor(o => o.NotifyShutdown).PositiveDuration("EgressAgent:Orchestrator:Timeouts:NotifyShutdown");
        RuleFor(o => o.DownloadOperation).PositiveDuration("EgressAgent:Orchestrator:Timeouts:DownloadOperation");
        RuleFor(o => o.Ping).PositiveDuration("EgressAgent:Orchestrator:Timeouts:Ping");
    }
}
