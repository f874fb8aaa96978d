using System.Text.Json;
using EgressAgent.Application.Events;
using EgressAgent.Application.Intake;
using Moq;

namespace EgressAgent.Application.Tests.Events;

public sealed class BackpressureHeartbeatHandlerTests
{
    private static readonly HeartbeatEvent Event = new(JsonSerializer.SerializeToElement(1_700_000_000));

    [Fact]
    public async Task Handle_while_saturated_requests_a_heartbeat()
    {
        var backpressure = new Mock<IBackpressure>();
        backpressure.SetupGet(b => b.IsSaturated).Returns(true);

        await new BackpressureHeartbeatHandler(backpressure.Object).Handle(Event, CancellationToken.None);

        backpressure.Verify(b => b.RequestHeartbeat(), Times.Once);
    }

    [Fact]
    public async Task Handle_with_free_capacity_sends_nothing()
    {
        // The poller's own requests keep an unsaturated agent alive.
        var backpressure = new Mock<IBackpressure>();
        backpressure.SetupGet(b => b.IsSaturated).Returns(false);

        await new BackpressureHeartbeatHandler(backpressure.Object).Handle(Event, CancellationToken.None);

        backpressure.Verify(b => b.RequestHeartbeat(), Times.Never);
    }
}
