using System.Reflection;
using System.Runtime.CompilerServices;
using EgressAgent.Application.Events.Dispatching;
using FluentValidation;

namespace EgressAgent.ArchitectureTests.Support;

/// <summary>Events, handlers and validators as reflection sees them, and the shape checks the rules share.</summary>
internal static class EventModel
{
    private static readonly IReadOnlyList<Type> AllTypes = ProductAssemblies.TypesIn(ProductAssemblies.All);

    /// <summary>Every type marked <see cref="OrchestratorEventAttribute"/>, in any assembly under src/.</summary>
    public static readonly IReadOnlyList<Type> Events =
        AllTypes.Where(t => t.GetCustomAttribute<OrchestratorEventAttribute>(inherit: false) is not null).ToList();

    /// <summary>Every class implementing <see cref="IOrchestratorEventHandler{TEvent}"/> for some event.</summary>
    public static readonly IReadOnlyList<Type> HandlerClasses =
        AllTypes.Where(t => t.IsClass && HandledEvents(t).Any()).ToList();

    public static string WireName(Type eventType) =>
        eventType.GetCustomAttribute<OrchestratorEventAttribute>(inherit: false)!.Type;

    public static IEnumerable<Type> HandledEvents(Type handler) =>
        handler.GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IOrchestratorEventHandler<>))
            .Select(i => i.GetGenericArguments()[0]);

    public static IReadOnlyList<Type> HandlersOf(Type eventType) =>
        HandlerClasses.Where(h => HandledEvents(h).Contains(eventType)).ToList();

    /// <summary>Closed <see cref="IValidator{T}"/> implementations for the event in the Application assembly.</summary>
    public static IReadOnlyList<Type> ValidatorsOf(Type eventType) =>
        ProductAssemblies.Application.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IValidator<>).MakeGenericType(eventType).IsAssignableFrom(t))
            .ToList();

    /// <summary>A record class: the compiler emits <c>&lt;Clone&gt;$</c> for records and for nothing else.</summary>
    public static bool IsRecord(Type type) =>
        type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is not null;

    /// <summary>Public properties with a setter that is not init-only, and public writable fields.</summary>
    public static IReadOnlyList<string> MutableMembers(Type type)
    {
        var setters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } setter && !IsInitOnly(setter))
            .Select(p => $"property {p.Name} has a public setter");
        var fields = type.GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Where(f => !f.IsInitOnly)
            .Select(f => $"field {f.Name} is writable");
        return [.. setters, .. fields];
    }

    /// <summary>
    /// Fields the sender must send: non-optional parameters of a public constructor (the copy
    /// constructor aside) and <c>required</c> members.
    /// </summary>
    public static IReadOnlyList<string> RequiredFields(Type type)
    {
        var parameters = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .Where(c => !IsCopyConstructor(c, type))
            .SelectMany(c => c.GetParameters())
            .Where(p => !p.IsOptional)
            .Select(p => p.Name ?? "?");
        var members = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<RequiredMemberAttribute>() is not null)
            .Select(p => p.Name);
        return parameters.Concat(members).Distinct(StringComparer.Ordinal).ToList();
    }

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));

    private static bool IsCopyConstructor(ConstructorInfo constructor, Type type) =>
        constructor.GetParameters() is [{ } only] && only.ParameterType == type;
}
