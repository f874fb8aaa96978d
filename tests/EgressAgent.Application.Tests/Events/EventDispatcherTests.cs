using EgressAgent.Application.Events;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Lifecycle;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Moq;

namespace EgressAgent.Application.Tests.Events;

/// <summary>Raw stream data through the real container to the handlers, with the ports mocked.</summary>
public sealed class EventDispatcherTests : IDisposable
{
    private readonly Mock<IShutdownCoordinator> _shutdown = new();
    private readonly Mock<IWorkSignal> _workSignal = new();
    private readonly Mock<IBackpressure> _backpressure = new();
    private ServiceProvider? _provider;

    public void Dispose() => _provider?.Dispose();

    [Fact]
    public async Task Goodbye_reaches_the_shutdown_coordinator()
    {
        var dispatched = await DispatchAsync("""{"type":"goodbye","reason":"activity_timeout"}""");

        Assert.True(dispatched);
        _shutdown.Verify(s => s.RequestShutdown(ShutdownTrigger.Goodbye, "activity_timeout"), Times.Once);
    }

    [Theory]
    [InlineData("""{"type":"goodbye","reason":42}""")]
    [InlineData("""{"type":"goodbye","reason":{"code":1}}""")]
    [InlineData("""{"type":"goodbye","reason":null}""")]
    [InlineData("""{"type":"goodbye"}""")]
    public async Task Goodbye_without_a_string_reason_says_unknown(string data)
    {
        var dispatched = await DispatchAsync(data);

        Assert.True(dispatched);
        _shutdown.Verify(s => s.RequestShutdown(ShutdownTrigger.Goodbye, "unknown"), Times.Once);
    }

    [Fact]
    public async Task Work_available_signals_the_poller()
    {
        Assert.True(await DispatchAsync("""{"type":"work_available"}"""));

        _workSignal.Verify(s => s.Signal(), Times.Once);
    }

    [Fact]
    public async Task Heartbeat_while_saturated_requests_a_heartbeat()
    {
        _backpressure.SetupGet(b => b.IsSaturated).Returns(true);

        Assert.True(await DispatchAsync("""{"type":"heartbeat","ts":1700000000}"""));

        _backpressure.Verify(b => b.RequestHeartbeat(), Times.Once);
    }

    [Fact]
    public async Task Welcome_with_an_agent_id_reaches_its_handler_with_that_id()
    {
        using var logs = new CapturingLoggerProvider();

        Assert.True(await DispatchAsync("""{"type":"welcome","agent_id":"agent-7"}""", before: s => s.AddSingleton<ILoggerProvider>(logs)));

        var welcome = Assert.Single(logs.Records, r => r.Category == typeof(WelcomeHandler).FullName);
        Assert.Equal("agent-7", welcome.Values["AgentId"]);
    }

    [Theory]
    [InlineData("""{"\udc00":1,"type":"goodbye","reason":"activity_timeout"}""")]
    [InlineData("""{"type":"goodbye","reason":"activity_timeout","\ud800x":"\udc00"}""")]
    public async Task A_name_that_is_not_valid_unicode_does_not_lose_the_event(string data)
    {
        Assert.True(await DispatchAsync(data));

        _shutdown.Verify(s => s.RequestShutdown(ShutdownTrigger.Goodbye, "activity_timeout"), Times.Once);
    }

    [Fact]
    public async Task A_goodbye_reason_that_is_not_valid_unicode_is_no_string_so_the_reason_is_unknown()
    {
        Assert.True(await DispatchAsync("""{"type":"goodbye","reason":"\ud800"}"""));

        _shutdown.Verify(s => s.RequestShutdown(ShutdownTrigger.Goodbye, "unknown"), Times.Once);
    }

    [Theory]
    [InlineData("""{"type":"heartbeat","ts":"\ud800"}""")]
    [InlineData("""{"type":"heartbeat","ts":"\ud800","\udc00":1}""")]
    public async Task A_heartbeat_whose_ts_is_not_valid_unicode_still_counts(string data)
    {
        _backpressure.SetupGet(b => b.IsSaturated).Returns(true);

        Assert.True(await DispatchAsync(data));

        _backpressure.Verify(b => b.RequestHeartbeat(), Times.Once);
    }

    [Fact]
    public async Task Nested_text_that_is_not_valid_unicode_in_an_unread_field_is_ignored()
    {
        Assert.True(await DispatchAsync("""{"type":"work_available","extra":{"\ud800":["\udc00"]}}"""));

        _workSignal.Verify(s => s.Signal(), Times.Once);
    }

    [Theory]
    [InlineData("""{"type":"\ud800"}""")]
    [InlineData("""{"type":"work_available\udc00"}""")]
    [InlineData("""{"type":"welcome","agent_id":"\ud800"}""")]
    public async Task Text_that_is_not_valid_unicode_where_an_event_is_read_skips_it_with_a_warning_not_an_error(string data)
    {
        using var logs = new CapturingLoggerProvider();
        _backpressure.SetupGet(b => b.IsSaturated).Returns(true);

        Assert.False(await DispatchAsync(data, before: s => s.AddSingleton<ILoggerProvider>(logs)));

        AssertNoHandlerRan();
        var skipped = Assert.Single(logs.Records, r => r.Category == typeof(EventDispatcher).FullName);
        Assert.Equal(LogLevel.Warning, skipped.Level);
        Assert.StartsWith("Skipped a stream message", skipped.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("""{"type":"goodbye","reason":"x" """)]
    [InlineData("""["goodbye"]""")]
    [InlineData("\"goodbye\"")]
    [InlineData("""{}""")]
    [InlineData("""{"reason":"x"}""")]
    [InlineData("""{"type":5}""")]
    [InlineData("""{"type":null}""")]
    [InlineData("""{"type":["goodbye"]}""")]
    [InlineData("""{"type":"no_such_event"}""")]
    [InlineData("""{"type":"GOODBYE"}""")]
    [InlineData("""{"type":"welcome","agent_id":5}""")]
    [InlineData("""{"type":"welcome"}""")]
    [InlineData("""{"type":"welcome","agent_id":""}""")]
    [InlineData("""{"type":"heartbeat","ts":{"at":1}}""")]
    public async Task Malformed_or_unknown_messages_are_skipped_without_throwing(string data)
    {
        _backpressure.SetupGet(b => b.IsSaturated).Returns(true);

        var dispatched = await DispatchAsync(data);

        Assert.False(dispatched);
        AssertNoHandlerRan();
    }

    [Fact]
    public async Task Data_nested_deeper_than_allowed_is_skipped()
    {
        var nested = string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40));

        Assert.False(await DispatchAsync($$"""{"type":"work_available","deep":{{nested}}}"""));
        AssertNoHandlerRan();
    }

    [Fact]
    public async Task Data_over_the_size_cap_is_skipped_even_when_valid()
    {
        Assert.False(await DispatchAsync(Padded(EventJson.MaxMessageChars + 1)));
        AssertNoHandlerRan();
    }

    [Fact]
    public async Task Data_of_exactly_the_size_cap_is_dispatched()
    {
        Assert.True(await DispatchAsync(Padded(EventJson.MaxMessageChars)));
        _workSignal.Verify(s => s.Signal(), Times.Once);
    }

    [Fact]
    public async Task A_throwing_handler_is_contained_by_the_dispatcher_and_the_other_handlers_still_run()
    {
        // Registered before AddApplication, so it is decorated like every scanned handler. The
        // decorator logs it and lets it go on; the dispatcher, the event path's one catch-all,
        // contains it (docs/adr/0051).
        var dispatched = await DispatchAsync(
            """{"type":"work_available"}""",
            before: s => s.AddScoped<INotificationHandler<WorkAvailableEvent>, ThrowingWorkAvailableHandler>());

        Assert.False(dispatched);
        _workSignal.Verify(s => s.Signal(), Times.Once);
    }

    [Fact]
    public async Task A_faulted_first_handler_does_not_keep_later_handlers_from_running()
    {
        // Undecorated and first in line: only the mediator keeps the real handler running.
        var exception = await Record.ExceptionAsync(() => DispatchAsync(
            """{"type":"work_available"}""",
            after: s => s.Insert(0, ServiceDescriptor.Scoped<INotificationHandler<WorkAvailableEvent>, FaultingWorkAvailableHandler>())));

        Assert.Null(exception);
        _workSignal.Verify(s => s.Signal(), Times.Once);
    }

    [Fact]
    public async Task Each_message_is_dispatched_independently()
    {
        Assert.False(await DispatchAsync("garbage"));
        var dispatcher = _provider!.GetRequiredService<EventDispatcher>();

        Assert.True(await dispatcher.DispatchAsync(new StreamMessage("""{"type":"work_available"}""", "2"), CancellationToken.None));
        Assert.True(await dispatcher.DispatchAsync(new StreamMessage("""{"type":"work_available"}""", "3"), CancellationToken.None));

        _workSignal.Verify(s => s.Signal(), Times.Exactly(2));
    }

    private static string Padded(int length)
    {
        const string start = "{\"type\":\"work_available\",\"pad\":\"";
        const string end = "\"}";
        return start + new string('x', length - start.Length - end.Length) + end;
    }

    private void AssertNoHandlerRan()
    {
        _shutdown.Verify(s => s.RequestShutdown(It.IsAny<ShutdownTrigger>(), It.IsAny<string>()), Times.Never);
        _workSignal.Verify(s => s.Signal(), Times.Never);
        _backpressure.Verify(b => b.RequestHeartbeat(), Times.Never);
    }

    private Task<bool> DispatchAsync(string data, Action<IServiceCollection>? before = null, Action<IServiceCollection>? after = null)
    {
        var services = TestContainer.Services(before);
        services.Replace(ServiceDescriptor.Singleton(_shutdown.Object));
        services.Replace(ServiceDescriptor.Singleton(_workSignal.Object));
        services.Replace(ServiceDescriptor.Singleton(_backpressure.Object));
        after?.Invoke(services);
        _provider = services.Build();

        return _provider.GetRequiredService<EventDispatcher>().DispatchAsync(new StreamMessage(data, "1"), CancellationToken.None);
    }

    private sealed class ThrowingWorkAvailableHandler : INotificationHandler<WorkAvailableEvent>
    {
        public Task Handle(WorkAvailableEvent notification, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("handler bug");
    }

    private sealed class FaultingWorkAvailableHandler : INotificationHandler<WorkAvailableEvent>
    {
        public Task Handle(WorkAvailableEvent notification, CancellationToken cancellationToken) =>
            Task.FromException(new InvalidOperationException("handler bug"));
    }
}
