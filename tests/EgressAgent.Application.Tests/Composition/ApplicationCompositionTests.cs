using System.Reflection;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Tests.Support;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace EgressAgent.Application.Tests.Composition;

public sealed class ApplicationCompositionTests : IDisposable
{
    private static readonly Assembly ApplicationAssembly = typeof(DependencyInjection).Assembly;
    private readonly ServiceProvider _provider = TestContainer.Services().Build();

    public void Dispose() => _provider.Dispose();

    [Fact]
    public void The_container_builds_with_validation_and_resolves_the_entry_points()
    {
        // Build() used ValidateOnBuild and ValidateScopes: a missing or captive dependency throws there.
        using var scope = _provider.CreateScope();

        Assert.NotNull(_provider.GetRequiredService<EventDispatcher>());
        Assert.IsType<ShutdownCoordinator>(_provider.GetRequiredService<IShutdownCoordinator>());
        Assert.IsType<WorkPipeline>(_provider.GetRequiredService<IWorkPipeline>());
        Assert.IsType<ResilientMediator>(scope.ServiceProvider.GetRequiredService<IMediator>());
    }

    [Fact]
    public async Task Work_available_through_the_container_wakes_the_signal_the_poller_waits_on()
    {
        // The handler sees IWorkSignal, the poller WorkSignal: two instances would lose every wake-up.
        Assert.Same(_provider.GetRequiredService<WorkSignal>(), _provider.GetRequiredService<IWorkSignal>());

        var dispatched = await _provider.GetRequiredService<EventDispatcher>()
            .DispatchAsync(new StreamMessage("""{"type":"work_available"}""", "1"), CancellationToken.None);

        Assert.True(dispatched);
        var woken = _provider.GetRequiredService<WorkSignal>().WakeUp.WaitAsync(TimeSpan.FromHours(1), TimeProvider.System, CancellationToken.None);
        Assert.True(woken.IsCompleted, "the poller's signal was not set");
        Assert.True(await woken);
    }

    [Fact]
    public void The_catalog_knows_every_contract_event()
    {
        var catalog = _provider.GetRequiredService<EventCatalog>();

        Assert.Superset(new HashSet<string> { "welcome", "heartbeat", "work_available", "goodbye" }, catalog.WireNames.ToHashSet());
    }

    [Fact]
    public void Each_event_resolves_each_of_its_handler_classes_exactly_once()
    {
        var eventTypes = _provider.GetRequiredService<EventCatalog>().EventTypes;
        Assert.NotEmpty(eventTypes);
        using var scope = _provider.CreateScope();

        foreach (var eventType in eventTypes)
        {
            var handlerClasses = HandlerClassesOf(eventType);
            var resolved = scope.ServiceProvider
                .GetServices(typeof(INotificationHandler<>).MakeGenericType(eventType))
                .Select(h => h!)
                .ToList();

            Assert.NotEmpty(handlerClasses);
            Assert.Equal(handlerClasses.Count, resolved.Count);
            Assert.Equal(
                handlerClasses.Select(t => t.FullName).Order(),
                resolved.Select(h => InnerHandlerOf(h, eventType).GetType().FullName).Order());
        }
    }

    [Fact]
    public void Every_resolved_handler_is_wrapped_in_the_observing_decorator()
    {
        using var scope = _provider.CreateScope();

        foreach (var eventType in _provider.GetRequiredService<EventCatalog>().EventTypes)
        {
            var decorator = typeof(ObservedEventHandler<>).MakeGenericType(eventType);
            var resolved = scope.ServiceProvider.GetServices(typeof(INotificationHandler<>).MakeGenericType(eventType));

            Assert.All(resolved, h => Assert.IsType(decorator, h));
        }
    }

    private static List<Type> HandlerClassesOf(Type eventType)
    {
        var handlerInterface = typeof(IOrchestratorEventHandler<>).MakeGenericType(eventType);
        return ApplicationAssembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && handlerInterface.IsAssignableFrom(t))
            .ToList();
    }

    /// <summary>The handler a decorator wraps: its one field typed as the handler interface.</summary>
    private static object InnerHandlerOf(object handler, Type eventType)
    {
        var handlerInterface = typeof(INotificationHandler<>).MakeGenericType(eventType);
        var field = handler.GetType()
            .GetFields(BindingFlags.Instance | BindingFlags.NonPublic)
            .Single(f => f.FieldType == handlerInterface);
        return field.GetValue(handler)!;
    }
}
