using EgressAgent.ArchitectureTests.Support;

namespace EgressAgent.ArchitectureTests.Events;

/// <summary>Handlers are small internal classes that depend on ports only.</summary>
public sealed class EventHandlerTests
{
    private static IReadOnlyList<Type> SelectHandlers() =>
        Selection.NonEmpty(EventModel.HandlerClasses, "classes implementing IOrchestratorEventHandler<T>");

    [Fact]
    public void Handlers_are_sealed()
    {
        Selection.NoViolations(SelectHandlers().Where(h => !h.IsSealed).Select(h => h.FullName!), "Handlers must be sealed");
    }

    [Fact]
    public void Handlers_are_not_public()
    {
        Selection.NoViolations(
            SelectHandlers().Where(h => h.IsPublic || h.IsNestedPublic).Select(h => h.FullName!),
            "Handlers must not be public (the scan finds them; nobody calls them directly)");
    }

    [Fact]
    public void Handler_names_end_in_Handler()
    {
        Selection.NoViolations(
            SelectHandlers().Where(h => !StripArity(h.Name).EndsWith("Handler", StringComparison.Ordinal)).Select(h => h.FullName!),
            "Handler class names must end in 'Handler'");
    }

    [Fact]
    public void Handlers_take_no_service_locator_mediator_or_http_client_in_their_constructors()
    {
        Selection.NoViolations(
            SelectHandlers().SelectMany(h => ForbiddenDependencies.InConstructorsOf(h).Select(p => $"{h.Name}({p})")),
            "Handlers must depend on ports, not on the container, the mediator or HTTP");
    }

    private static string StripArity(string name) => name.Split('`')[0];
}
