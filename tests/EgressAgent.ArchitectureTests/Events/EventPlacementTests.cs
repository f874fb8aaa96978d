using System.Text.RegularExpressions;
using EgressAgent.ArchitectureTests.Support;

namespace EgressAgent.ArchitectureTests.Events;

/// <summary>
/// "A new event handler is one new file": each event sits in Application/Events/&lt;Name&gt;Event.cs
/// and each of its handlers in a file of its own beside it (one type per file, docs/adr/0028).
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
    public void Each_event_and_each_of_its_handlers_is_declared_in_its_own_file()
    {
        var events = Selection.NonEmpty(EventModel.Events, "[OrchestratorEvent] types");
        var folder = Path.Combine(RepositoryRoot.Find(), "src", "EgressAgent.Application", "Events");
        var violations = new List<string>();
        foreach (var eventType in events.Where(e => e.Name.EndsWith(Suffix, StringComparison.Ordinal)))
        {
            var file = Path.Combine(folder, eventType.Name + ".cs");
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

            foreach (var handler in EventModel.HandlersOf(eventType).Select(h => h.Name.Split('`')[0]))
            {
                var handlerFile = Path.Combine(folder, handler + ".cs");
                if (!File.Exists(handlerFile) || !Declares(File.ReadAllText(handlerFile), "class", handler))
                {
                    violations.Add($"{eventType.Name}: handler {handler} is not declared in {handler}.cs");
                }
            }
        }

        Selection.NoViolations(violations, "One file per event record and one per handler");
    }

    /// <summary>`record GoodbyeEvent` / `record class GoodbyeEvent` / `class GoodbyeHandler` as a whole word.</summary>
    private static bool Declares(string source, string keyword, string name) =>
        Regex.IsMatch(source, $@"\b{keyword}\s+(class\s+)?{Regex.Escape(name)}\b");
}
