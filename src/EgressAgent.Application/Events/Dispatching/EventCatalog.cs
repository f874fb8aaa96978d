using System.Collections.Frozen;
using System.Reflection;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// Wire name → event binding, built once by scanning for <see cref="OrchestratorEventAttribute"/>:
/// adding an event never edits a list. Reflection happens here only, not per event.
/// </summary>
public sealed class EventCatalog
{
    private readonly FrozenDictionary<string, IEventBinding> _bindings;

    public EventCatalog(IEnumerable<Assembly> assemblies)
    {
        var events = assemblies
            .SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<OrchestratorEventAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToList();

        foreach (var (type, _) in events.Where(x => !typeof(IOrchestratorEvent).IsAssignableFrom(x.Type)))
        {
            throw new InvalidOperationException($"{type.Name} has [OrchestratorEvent] but does not implement IOrchestratorEvent.");
        }

        var duplicate = events.GroupBy(x => x.Attribute!.Type, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Event type '{duplicate.Key}' is claimed by {string.Join(", ", duplicate.Select(x => x.Type.Name))}.");
        }

        _bindings = events.ToFrozenDictionary(
            x => x.Attribute!.Type,
            x => (IEventBinding)Activator.CreateInstance(typeof(EventBinding<>).MakeGenericType(x.Type))!,
            StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> WireNames => _bindings.Keys;

    public IReadOnlyCollection<Type> EventTypes => _bindings.Values.Select(b => b.EventType).ToList();

    public IEventBinding? Find(string wireName) => _bindings.GetValueOrDefault(wireName);
}
