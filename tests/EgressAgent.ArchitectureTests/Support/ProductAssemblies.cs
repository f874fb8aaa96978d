using System.Reflection;

namespace EgressAgent.ArchitectureTests.Support;

/// <summary>The assemblies under test, each found through a type that is sure to live in it.</summary>
internal static class ProductAssemblies
{
    public static readonly Assembly Domain = typeof(EgressAgent.Domain.InstanceId).Assembly;
    public static readonly Assembly Application = typeof(EgressAgent.Application.DependencyInjection).Assembly;
    public static readonly Assembly Infrastructure = typeof(EgressAgent.Infrastructure.DependencyInjection).Assembly;
    public static readonly Assembly Host = typeof(EgressAgent.Host.Composition.AgentHost).Assembly;
    public static readonly Assembly Emulator = typeof(EgressAgent.Emulator.OrchestratorEmulator).Assembly;

    /// <summary>The agent's four layers.</summary>
    public static readonly IReadOnlyList<Assembly> Agent = [Domain, Application, Infrastructure, Host];

    /// <summary>The agent plus the emulator: everything under src/.</summary>
    public static readonly IReadOnlyList<Assembly> All = [.. Agent, Emulator];

    public static IReadOnlyList<Type> TypesIn(IEnumerable<Assembly> assemblies) =>
        assemblies.SelectMany(a => a.GetTypes()).ToList();

    public static IReadOnlyList<AssemblyName> ReferencesOf(Assembly assembly) =>
        assembly.GetReferencedAssemblies();

    /// <summary>True when <paramref name="name"/> is <paramref name="prefix"/> or a dotted child of it (Refit, Refit.HttpClientFactory).</summary>
    public static bool IsOrUnder(string name, string prefix) =>
        name.Equals(prefix, StringComparison.Ordinal) || name.StartsWith(prefix + ".", StringComparison.Ordinal);
}
