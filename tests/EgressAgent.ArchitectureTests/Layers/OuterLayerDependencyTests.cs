using EgressAgent.ArchitectureTests.Support;
using NetArchTest.Rules;

namespace EgressAgent.ArchitectureTests.Layers;

/// <summary>Infrastructure does not know its composer; the emulator shares nothing with the agent (ADR 0007).</summary>
public sealed class OuterLayerDependencyTests
{
    [Fact]
    public void Infrastructure_references_neither_Host_nor_Emulator()
    {
        var references = Selection.NonEmpty(ProductAssemblies.ReferencesOf(ProductAssemblies.Infrastructure), "assemblies referenced by Infrastructure");
        Selection.NoViolations(
            references
                .Where(r => ProductAssemblies.IsOrUnder(r.Name!, "EgressAgent.Host") || ProductAssemblies.IsOrUnder(r.Name!, "EgressAgent.Emulator"))
                .Select(r => r.FullName),
            "Infrastructure must not reference Host or Emulator");
    }

    [Fact]
    public void Infrastructure_types_do_not_use_Host_or_Emulator_namespaces()
    {
        var infrastructure = Selection.NonEmpty(
            Types.InAssembly(ProductAssemblies.Infrastructure).That().ResideInNamespaceStartingWith("EgressAgent.Infrastructure"),
            "Infrastructure types");
        Selection.Holds(
            infrastructure.ShouldNot().HaveDependencyOnAny("EgressAgent.Host", "EgressAgent.Emulator"),
            "Infrastructure types must not use Host or Emulator");
    }

    [Fact]
    public void Emulator_references_no_EgressAgent_assembly()
    {
        var references = Selection.NonEmpty(ProductAssemblies.ReferencesOf(ProductAssemblies.Emulator), "assemblies referenced by Emulator");
        Selection.NoViolations(
            references.Where(r => ProductAssemblies.IsOrUnder(r.Name!, "EgressAgent")).Select(r => r.FullName),
            "The emulator must share no code with the agent (ADR 0007)");
    }

    [Fact]
    public void Emulator_references_only_the_shared_frameworks()
    {
        var references = Selection.NonEmpty(ProductAssemblies.ReferencesOf(ProductAssemblies.Emulator), "assemblies referenced by Emulator");
        Selection.NoViolations(
            references.Where(r => !SharedFramework.IsNetCore(r) && !SharedFramework.IsAspNetCore(r)).Select(r => r.FullName),
            "The emulator references only ASP.NET Core and the runtime (ADR 0007)");
    }
}
