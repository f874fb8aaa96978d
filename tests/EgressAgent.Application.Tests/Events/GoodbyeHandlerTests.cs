using EgressAgent.Application.Events;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Lifecycle;
using Moq;

namespace EgressAgent.Application.Tests.Events;

public sealed class GoodbyeHandlerTests
{
    private readonly Mock<IShutdownCoordinator> _shutdown = new(MockBehavior.Strict);

    [Fact]
    public async Task Handle_requests_a_goodbye_shutdown_with_the_reason()
    {
        _shutdown.Setup(s => s.RequestShutdown(ShutdownTrigger.Goodbye, "activity_timeout"));

        await new GoodbyeHandler(_shutdown.Object).Handle(new GoodbyeEvent("activity_timeout"), CancellationToken.None);

        _shutdown.Verify(s => s.RequestShutdown(ShutdownTrigger.Goodbye, "activity_timeout"), Times.Once);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Handle_without_a_reason_says_unknown(string? reason)
    {
        _shutdown.Setup(s => s.RequestShutdown(ShutdownTrigger.Goodbye, "unknown"));

        await new GoodbyeHandler(_shutdown.Object).Handle(new GoodbyeEvent(reason), CancellationToken.None);

        _shutdown.Verify(s => s.RequestShutdown(ShutdownTrigger.Goodbye, "unknown"), Times.Once);
    }

    [Fact]
    public void Handle_does_not_wait_for_the_shutdown_sequence()
    {
        // The sequence closes the stream this handler runs on: waiting for it would deadlock.
        _shutdown.Setup(s => s.RequestShutdown(It.IsAny<ShutdownTrigger>(), It.IsAny<string>()));

        var handled = new GoodbyeHandler(_shutdown.Object).Handle(new GoodbyeEvent("bye"), CancellationToken.None);

        Assert.True(handled.IsCompletedSuccessfully);
        _shutdown.Verify(s => s.ShutdownAsync(It.IsAny<ShutdownTrigger>(), It.IsAny<string>()), Times.Never);
    }
}
