using EgressAgent.Application.Events.Dispatching;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Events;

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
