using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// Wire name → event binding, built once by scanning for <see cref="OrchestratorEventAttribute"/>:
/// adding an event never edits a list. Reflection happens here only, not per event.
/// </summary>
public sealed class EventCatalog
{
    private readonly FrozenDictionary<string, IEventBinding> _bindings;

    /// <remarks>
    /// The scan needs every type of <paramref name="assemblies"/>: the native build roots the
    /// application assembly (TrimmerRootAssembly in the Host, docs/adr/0026), so none is trimmed.
    /// </remarks>
    [UnconditionalSuppressMessage("Trimming", "IL2026:RequiresUnreferencedCode", Justification = "The scanned assemblies are rooted in the native build (TrimmerRootAssembly), so GetTypes sees every event type.")]
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

        foreach (var (type, _) in events.Where(x => !EventJson.Options.TryGetTypeInfo(x.Type, out _)))
        {
            throw new InvalidOperationException($"{type.Name} has [OrchestratorEvent] but is not listed in EventJsonContext.");
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
