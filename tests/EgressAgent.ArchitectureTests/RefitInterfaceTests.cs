using System.Reflection;
using EgressAgent.ArchitectureTests.Support;

namespace EgressAgent.ArchitectureTests;

/// <summary>Refit interfaces are Infrastructure details, asynchronous and cancellable on every call.</summary>
public sealed class RefitInterfaceTests
{
    private static readonly IReadOnlyList<Type> RefitInterfaces =
        ProductAssemblies.TypesIn(ProductAssemblies.All)
            .Where(t => t.IsInterface && t.GetMethods().Any(m => m.GetCustomAttributes<Refit.HttpMethodAttribute>(inherit: true).Any()))
            .ToList();

    private static IReadOnlyList<Type> Select() => Selection.NonEmpty(RefitInterfaces, "interfaces with Refit HTTP attributes");

    [Fact]
    public void Refit_interfaces_live_in_Infrastructure()
    {
        Selection.NoViolations(
            Select().Where(t => t.Assembly != ProductAssemblies.Infrastructure).Select(t => $"{t.FullName} ({t.Assembly.GetName().Name})"),
            "Refit interfaces belong in Infrastructure");
    }

    [Fact]
    public void Refit_methods_end_in_Async()
    {
        Selection.NoViolations(
            Select().SelectMany(t => t.GetMethods().Where(m => !m.Name.EndsWith("Async", StringComparison.Ordinal)).Select(m => $"{t.Name}.{m.Name}")),
            "Refit methods return tasks and are named *Async");
    }

    [Fact]
    public void Refit_methods_take_a_CancellationToken_last()
    {
        Selection.NoViolations(
            Select().SelectMany(t => t.GetMethods()
                .Where(m => m.GetParameters() is not [.., { } last] || last.ParameterType != typeof(CancellationToken))
                .Select(m => $"{t.Name}.{m.Name}")),
            "Every Refit call must be cancellable: CancellationToken as the last parameter");
    }
}
