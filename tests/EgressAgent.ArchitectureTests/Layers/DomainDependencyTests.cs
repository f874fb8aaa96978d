using EgressAgent.ArchitectureTests.Support;
using NetArchTest.Rules;

namespace EgressAgent.ArchitectureTests.Layers;

/// <summary>Domain is pure rules: nothing of ours, no package, only the base class library (ADR 0001).</summary>
public sealed class DomainDependencyTests
{
    [Fact]
    public void Domain_references_only_base_class_library_assemblies()
    {
        var references = Selection.NonEmpty(ProductAssemblies.ReferencesOf(ProductAssemblies.Domain), "assemblies referenced by Domain");
        Selection.NoViolations(
            references.Where(r => !SharedFramework.IsBcl(r)).Select(r => r.FullName),
            "Domain may reference only System.* assemblies of the shared framework");
    }

    [Fact]
    public void Domain_types_depend_on_no_other_layer_and_no_package_namespace()
    {
        var domain = Selection.NonEmpty(Types.InAssembly(ProductAssemblies.Domain).That().ResideInNamespaceStartingWith("EgressAgent.Domain"), "Domain types");
        Selection.Holds(
            domain.ShouldNot().HaveDependencyOnAny(
                "EgressAgent.Application", "EgressAgent.Infrastructure", "EgressAgent.Host", "EgressAgent.Emulator",
                "MediatR", "FluentValidation", "Scrutor", "Refit", "Microsoft"),
            "Domain types may use nothing but the BCL");
    }
}
