using EgressAgent.ArchitectureTests.Support;
using NetArchTest.Rules;

namespace EgressAgent.ArchitectureTests.Layers;

/// <summary>
/// Application knows Domain, MediatR, FluentValidation, Scrutor and the Microsoft.Extensions
/// abstractions for logging, options and DI; never HTTP, Refit, hosting or the outer layers (ADR 0001).
/// </summary>
public sealed class ApplicationDependencyTests
{
    /// <summary>Package assemblies ADR 0001 allows. Microsoft.Extensions.Options is the package the csproj references for IOptions.</summary>
    private static readonly HashSet<string> AllowedPackages = new(StringComparer.Ordinal)
    {
        "EgressAgent.Domain",
        "MediatR",
        "FluentValidation",
        "FluentValidation.DependencyInjectionExtensions",
        "Scrutor",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.Options",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
        "Microsoft.Extensions.Primitives",
    };

    /// <summary>Forbidden whatever else changes; System.Net.Http is in the BCL, so the allow-list alone would let it through.</summary>
    public static readonly TheoryData<string> Forbidden =
    [
        "EgressAgent.Infrastructure",
        "EgressAgent.Host",
        "EgressAgent.Emulator",
        "Refit",
        "System.Net.Http",
        "Microsoft.Extensions.Http",
        "Microsoft.Extensions.Hosting",
        "Microsoft.AspNetCore",
    ];

    [Fact]
    public void Application_references_only_Domain_the_allowed_packages_and_the_BCL()
    {
        var references = Selection.NonEmpty(ProductAssemblies.ReferencesOf(ProductAssemblies.Application), "assemblies referenced by Application");
        Selection.NoViolations(
            references.Where(r => !AllowedPackages.Contains(r.Name!) && !SharedFramework.IsBcl(r)).Select(r => r.FullName),
            "Application references an assembly outside ADR 0001's list");
    }

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void Application_does_not_reference_the_assembly(string forbidden)
    {
        var references = Selection.NonEmpty(ProductAssemblies.ReferencesOf(ProductAssemblies.Application), "assemblies referenced by Application");
        Selection.NoViolations(
            references.Where(r => ProductAssemblies.IsOrUnder(r.Name!, forbidden)).Select(r => r.FullName),
            $"Application must not reference {forbidden}");
    }

    /// <summary>
    /// Namespaces cross assembly lines (IHttpClientFactory is System.Net.Http in
    /// Microsoft.Extensions.Http; IHostApplicationLifetime is in Hosting.Abstractions), so the
    /// types are checked too.
    /// </summary>
    [Theory]
    [MemberData(nameof(Forbidden))]
    public void Application_types_do_not_use_the_namespace(string forbidden)
    {
        var application = Selection.NonEmpty(
            Types.InAssembly(ProductAssemblies.Application).That().ResideInNamespaceStartingWith("EgressAgent.Application"),
            "Application types");
        Selection.Holds(application.ShouldNot().HaveDependencyOn(forbidden), $"Application types must not use {forbidden}");
    }
}
