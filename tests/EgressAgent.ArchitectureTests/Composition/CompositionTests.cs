using EgressAgent.Application.Events.Dispatching;
using EgressAgent.ArchitectureTests.Support;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace EgressAgent.ArchitectureTests.Composition;

/// <summary>
/// The container the agent really runs with: it validates, and every event reaches each of its
/// handler classes exactly once, through the observing decorator (ADR 0002).
/// </summary>
public sealed class CompositionTests(AgentContainer container) : IClassFixture<AgentContainer>
{
    [Fact]
    public void The_real_container_builds_with_ValidateOnBuild_and_ValidateScopes()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("egress-arch-").FullName;
        try
        {
            // Build throws AggregateException listing every unresolvable or scope-violating registration.
            using var host = AgentContainer.Build(dataDirectory);
            Assert.NotNull(host.Services.GetService<EventCatalog>());
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public void The_catalog_holds_exactly_the_event_types_found_by_reflection()
    {
        var catalog = container.Host.Services.GetRequiredService<EventCatalog>();
        var registered = Selection.NonEmpty(catalog.EventTypes, "event types in the EventCatalog");
        Selection.NonEmpty(EventModel.Events, "[OrchestratorEvent] types");
        Assert.Equal(
            EventModel.Events.Select(t => t.FullName).Order(StringComparer.Ordinal),
            registered.Select(t => t.FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_event_resolves_as_many_handlers_as_it_has_handler_classes()
    {
        var events = Selection.NonEmpty(container.Host.Services.GetRequiredService<EventCatalog>().EventTypes, "event types in the EventCatalog");
        var violations = new List<string>();
        foreach (var eventType in events)
        {
            var resolved = ResolveHandlers(eventType);
            var expected = EventModel.HandlersOf(eventType);
            if (resolved.Count != expected.Count)
            {
                violations.Add($"{eventType.Name}: {resolved.Count} resolved, {expected.Count} handler classes ({string.Join(", ", expected.Select(h => h.Name))})");
            }
        }

        Selection.NoViolations(violations, "Every handler class must be registered exactly once");
    }

    [Fact]
    public void Every_resolved_handler_is_wrapped_by_the_observing_decorator()
    {
        var events = Selection.NonEmpty(container.Host.Services.GetRequiredService<EventCatalog>().EventTypes, "event types in the EventCatalog");
        var handlers = Selection.NonEmpty(events.SelectMany(ResolveHandlers), "resolved event handlers");
        Selection.NoViolations(
            handlers
                .Where(h => !h.GetType().IsGenericType || h.GetType().GetGenericTypeDefinition() != typeof(ObservedEventHandler<>))
                .Select(h => h.GetType().FullName!),
            "A handler that is not decorated runs without log scope, timing and failure isolation");
    }

    [Fact]
    public void Each_event_validator_class_is_registered()
    {
        var events = Selection.NonEmpty(container.Host.Services.GetRequiredService<EventCatalog>().EventTypes, "event types in the EventCatalog");
        using var scope = container.Host.Services.CreateScope();
        Selection.NoViolations(
            events
                .Where(e => EventModel.ValidatorsOf(e).Count > 0)
                .Where(e => scope.ServiceProvider.GetService(typeof(IValidator<>).MakeGenericType(e)) is null)
                .Select(e => $"{e.Name}: {string.Join(", ", EventModel.ValidatorsOf(e).Select(v => v.Name))} not resolvable"),
            "A validator the container does not know never runs");
    }

    private List<object> ResolveHandlers(Type eventType)
    {
        // A scope per event, as the dispatcher does: handlers are scoped.
        using var scope = container.Host.Services.CreateScope();
        var handlerType = typeof(IEnumerable<>).MakeGenericType(typeof(INotificationHandler<>).MakeGenericType(eventType));
        return ((IEnumerable<object>)scope.ServiceProvider.GetRequiredService(handlerType)).ToList();
    }
}
