using EgressAgent.Application.Events;
using EgressAgent.Application.Intake;
using Moq;

namespace EgressAgent.Application.Tests.Events;

public sealed class WorkAvailableHandlerTests
{
    [Fact]
    public async Task Handle_signals_the_poller()
    {
        var signal = new Mock<IWorkSignal>();

        await new WorkAvailableHandler(signal.Object).Handle(new WorkAvailableEvent(), CancellationToken.None);

        signal.Verify(s => s.Signal(), Times.Once);
    }
}
