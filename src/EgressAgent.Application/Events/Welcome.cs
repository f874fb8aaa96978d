using EgressAgent.Application.Events.Dispatching;
using FluentValidation;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Events;

/// <summary>The orchestrator accepted the stream and names the agent it knows us as.</summary>
[OrchestratorEvent("welcome")]
public sealed record WelcomeEvent(string AgentId) : IOrchestratorEvent;

internal sealed class WelcomeEventValidator : AbstractValidator<WelcomeEvent>
{
    public WelcomeEventValidator() => RuleFor(e => e.AgentId).NotEmpty().WithMessage("'agent_id' must be a non-empty string");
}

internal sealed partial class WelcomeHandler(ILogger<WelcomeHandler> logger) : IOrchestratorEventHandler<WelcomeEvent>
{
    public Task Handle(WelcomeEvent notification, CancellationToken cancellationToken)
    {
        LogWelcome(logger, notification.AgentId);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Orchestrator welcomed agent {AgentId}")]
    private static partial void LogWelcome(ILogger logger, string agentId);
}
