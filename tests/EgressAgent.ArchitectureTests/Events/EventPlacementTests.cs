using System.Text.RegularExpressions;
using EgressAgent.ArchitectureTests.Support;

namespace EgressAgent.ArchitectureTests.Events;

/// <summary>
/// "A new event handler is one new file": each event sits in Application/Events/&lt;Name&gt;.cs
/// (GoodbyeEvent in Goodbye.cs) together with its handlers.
/// </summary>
public sealed class EventPlacementTests
{
    private const string EventsNamespace = "EgressAgent.Application.Events";
    private const string Suffix = "Event";

    [Fact]
    public void Events_and_their_handlers_live_in_the_Application_Events_namespace()
    {
        var events = Selection.NonEmpty(EventModel.Events, "[OrchestratorEvent] types");
        var misplaced = events
            .Concat(events.SelectMany(EventModel.HandlersOf))
            .Where(t => t.Assembly != ProductAssemblies.Application || t.Namespace != EventsNamespace)
            .Select(t => $"{t.FullName} ({t.Assembly.GetName().Name})");
        Selection.NoViolations(misplaced, $"Events and handlers belong in {EventsNamespace}");
    }

    [Fact]
    public void Event_names_end_in_Event()
    {
        Selection.NoViolations(
            Selection.NonEmpty(EventModel.Events, "[OrchestratorEvent] types")
                .Where(e => !e.Name.EndsWith(Suffix, StringComparison.Ordinal) || e.Name.Length == Suffix.Length)
                .Select(e => e.FullName!),
            "Event type names must be <Name>Event");
    }

    [Fact]
    public void Each_event_is_declared_with_its_handlers_in_its_own_file()
    {
        var events = Selection.NonEmpty(EventModel.Events, "[OrchestratorEvent] types");
        var folder = Path.Combine(RepositoryRoot.Find(), "src", "EgressAgent.Application", "Events");
        var violations = new List<string>();
        foreach (var eventType in events.Where(e => e.Name.EndsWith(Suffix, StringComparison.Ordinal)))
        {
            var file = Path.Combine(folder, eventType.Name[..^Suffix.Length] + ".cs");
            if (!File.Exists(file))
            {
                violations.Add($"{eventType.Name}: {Path.GetRelativePath(folder, file)} does not exist");
                continue;
            }

            var source = File.ReadAllText(file);
            if (!Declares(source, "record", eventType.Name))
            {
                violations.Add($"{eventType.Name}: not declared as a record in {Path.GetFileName(file)}");
            }

            violations.AddRange(EventModel.HandlersOf(eventType)
                .Where(h => !Declares(source, "class", h.Name.Split('`')[0]))
                .Select(h => $"{eventType.Name}: handler {h.Name} is not declared in {Path.GetFileName(file)}"));
        }

        Selection.NoViolations(violations, "One file per event, holding the record and its handlers");
    }

    /// <summary>`record GoodbyeEvent` / `record class GoodbyeEvent` / `class GoodbyeHandler` as a whole word.</summary>
    private static bool Declares(string source, string keyword, string name) =>
        Regex.IsMatch(source, $@"\b{keyword}\s+(class\s+)?{Regex.Escape(name)}\b");
}
