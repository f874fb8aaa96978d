using EgressAgent.Application.Events.Dispatching;
using EgressAgent.ArchitectureTests.Support;

namespace EgressAgent.ArchitectureTests.Events;

/// <summary>What every <c>[OrchestratorEvent]</c> type must look like: a sealed, immutable record with one wire name.</summary>
public sealed class EventShapeTests
{
    private static IReadOnlyList<Type> SelectEvents() => Selection.NonEmpty(EventModel.Events, "[OrchestratorEvent] types");

    [Fact]
    public void Events_are_sealed()
    {
        Selection.NoViolations(
            SelectEvents().Where(e => !e.IsSealed).Select(e => e.FullName!),
            "Events must be sealed");
    }

    [Fact]
    public void Events_are_records()
    {
        Selection.NoViolations(
            SelectEvents().Where(e => !EventModel.IsRecord(e)).Select(e => e.FullName!),
            "Events must be records (value equality, with-expressions)");
    }

    [Fact]
    public void Events_have_no_public_setters_other_than_init()
    {
        Selection.NoViolations(
            SelectEvents().SelectMany(e => EventModel.MutableMembers(e).Select(m => $"{e.Name}: {m}")),
            "Events must be immutable");
    }

    [Fact]
    public void Events_implement_IOrchestratorEvent()
    {
        Selection.NoViolations(
            SelectEvents().Where(e => !typeof(IOrchestratorEvent).IsAssignableFrom(e)).Select(e => e.FullName!),
            "Events must implement IOrchestratorEvent");
    }

    [Fact]
    public void Event_wire_names_are_non_empty_and_unique()
    {
        var events = SelectEvents();
        var blank = events.Where(e => string.IsNullOrWhiteSpace(EventModel.WireName(e))).Select(e => $"{e.Name} has a blank wire name");
        var shared = events
            .GroupBy(EventModel.WireName, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"'{g.Key}' is claimed by {string.Join(", ", g.Select(e => e.Name))}");
        Selection.NoViolations(blank.Concat(shared), "Each event needs its own non-empty wire name");
    }

    [Fact]
    public void Events_with_required_fields_have_a_validator_in_Application()
    {
        Selection.NoViolations(
            SelectEvents()
                .Where(e => EventModel.RequiredFields(e).Count > 0 && EventModel.ValidatorsOf(e).Count == 0)
                .Select(e => $"{e.Name} requires {string.Join(", ", EventModel.RequiredFields(e))} but has no IValidator<{e.Name}>"),
            "An event with required fields must be validated before its handlers run");
    }

    [Fact]
    public void Events_have_at_least_one_handler_class()
    {
        Selection.NoViolations(
            SelectEvents().Where(e => EventModel.HandlersOf(e).Count == 0).Select(e => e.FullName!),
            "Every event needs a handler (an event nobody handles is dead wire protocol)");
    }
}
