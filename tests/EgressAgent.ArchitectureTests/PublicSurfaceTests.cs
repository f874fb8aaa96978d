using System.Reflection;
using EgressAgent.ArchitectureTests.Support;
using Xunit.Abstractions;

namespace EgressAgent.ArchitectureTests;

/// <summary>
/// Infrastructure and Host are consumed only through their <c>DependencyInjection</c> entry
/// points. Domain and Application publish their ports, so their surface is listed, not limited.
/// </summary>
public sealed class PublicSurfaceTests(ITestOutputHelper output)
{
    private const string EntryPoint = "DependencyInjection";

    public static readonly TheoryData<string> ClosedAssemblies = ["Infrastructure", "Host"];

    public static readonly TheoryData<string> AgentAssemblies = ["Domain", "Application", "Infrastructure", "Host"];

    [Theory]
    [MemberData(nameof(ClosedAssemblies))]
    public void Assembly_has_no_public_type_but_its_DependencyInjection_class(string layer)
    {
        var assembly = Layer(layer);
        Selection.NonEmpty(assembly.GetTypes(), $"types in {layer}");
        Selection.NoViolations(
            assembly.GetExportedTypes().Where(t => t.Name != EntryPoint).Select(t => t.FullName!),
            $"{layer} must keep its types internal (only {EntryPoint} is public)");
    }

    /// <summary>
    /// Internals are visible to test projects only (and to Moq's proxy assembly): no layer reaches
    /// into another's internals, so a boundary means what the public surface says.
    /// </summary>
    [Theory]
    [MemberData(nameof(AgentAssemblies))]
    public void Internals_are_visible_to_test_projects_only(string layer)
    {
        var testProjects = Directory.EnumerateDirectories(Path.Combine(RepositoryRoot.Find(), "tests")).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var friends = Layer(layer).GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToList();
        Selection.NonEmpty(friends, $"InternalsVisibleTo of {layer}");

        Selection.NoViolations(
            friends.Where(f => !testProjects.Contains(f) && !f.EndsWith(".Tests", StringComparison.Ordinal) && f != "DynamicProxyGenAssembly2"),
            $"{layer} may show its internals to test projects only");
    }

    /// <summary>Lists the surface for review and checks that nothing public escapes the layer's namespace (a public Program, say).</summary>
    [Theory]
    [MemberData(nameof(AgentAssemblies))]
    public void Public_types_stay_in_the_layer_namespace(string layer)
    {
        var assembly = Layer(layer);
        Selection.NonEmpty(assembly.GetTypes(), $"types in {layer}");
        var exported = assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();
        output.WriteLine($"{layer}: {exported.Count} public types");
        foreach (var type in exported)
        {
            output.WriteLine($"  {type.FullName}");
        }

        var root = assembly.GetName().Name!;
        Selection.NoViolations(
            exported.Where(t => t.Namespace is null || !ProductAssemblies.IsOrUnder(t.Namespace, root)).Select(t => t.FullName!),
            $"Public types of {layer} must live under {root}");
    }

    private static Assembly Layer(string layer) => layer switch
    {
        "Domain" => ProductAssemblies.Domain,
        "Application" => ProductAssemblies.Application,
        "Infrastructure" => ProductAssemblies.Infrastructure,
        "Host" => ProductAssemblies.Host,
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer, "not an agent layer"),
    };
}
