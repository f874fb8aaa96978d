using EgressAgent.Application.Events;
using EgressAgent.Application.Tests.Support;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Tests.Events;

public sealed class WelcomeHandlerTests
{
    [Fact]
    public async Task Handle_logs_the_agent_id_at_information_level()
    {
        using var logs = new CapturingLoggerProvider();
        var handler = new WelcomeHandler(logs.For<WelcomeHandler>());

        await handler.Handle(new WelcomeEvent("agent-7"), CancellationToken.None);

        var record = Assert.Single(logs.Records);
        Assert.Equal(LogLevel.Information, record.Level);
        Assert.Equal("Orchestrator welcomed agent agent-7", record.Message);
        Assert.Equal("agent-7", record.Values["AgentId"]);
    }
}
