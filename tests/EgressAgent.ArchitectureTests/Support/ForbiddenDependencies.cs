using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace EgressAgent.ArchitectureTests.Support;

/// <summary>
/// Constructor parameters a handler must not take: service locators (the container, a scope
/// factory, MediatR's factory or the mediator itself) and HTTP (clients, the factory, Refit).
/// Handlers talk to ports; the dispatcher already gives each event its own scope.
/// </summary>
internal static class ForbiddenDependencies
{
    private static readonly Type[] Exact =
    [
        typeof(IServiceProvider),
        typeof(IServiceScopeFactory),
        typeof(ServiceFactory),
        typeof(IMediator),
        typeof(IHttpClientFactory),
    ];

    public static IReadOnlyList<string> InConstructorsOf(Type type) =>
        type.GetConstructors(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            .SelectMany(c => c.GetParameters())
            .Where(p => IsForbidden(p.ParameterType))
            .Select(p => $"{p.ParameterType.Name} {p.Name}")
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>Looks inside generic arguments too: a <c>Lazy&lt;IServiceProvider&gt;</c> is still a locator.</summary>
    public static bool IsForbidden(Type type)
    {
        if (type.IsByRef || type.IsArray)
        {
            return IsForbidden(type.GetElementType()!);
        }

        if (Exact.Contains(type)
            || typeof(HttpMessageInvoker).IsAssignableFrom(type)
            || ProductAssemblies.IsOrUnder(type.Assembly.GetName().Name ?? string.Empty, "Refit"))
        {
            return true;
        }

        return type.IsGenericType && type.GetGenericArguments().Any(IsForbidden);
    }
}
