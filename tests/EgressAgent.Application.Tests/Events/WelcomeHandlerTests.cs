using EgressAgent.Application.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace EgressAgent.Application.Tests.Events;

public sealed class WelcomeHandlerTests
{
    [Fact]
    public async Task Handle_logs_and_completes_without_throwing()
    {
        var handler = new WelcomeHandler(NullLogger<WelcomeHandler>.Instance);

        var exception = await Record.ExceptionAsync(() => handler.Handle(new WelcomeEvent("agent-7"), CancellationToken.None));

        Assert.Null(exception);
    }
}
