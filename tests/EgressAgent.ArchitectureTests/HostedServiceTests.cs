using EgressAgent.ArchitectureTests.Support;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.ArchitectureTests;

/// <summary>
/// Loops are plain classes in Application; only Host wraps them as hosted services (ADR 0001).
/// The emulator is checked too: it runs on ASP.NET Core's own hosting and declares none of its
/// own (its DetachedHostLifetime is an IHostLifetime, not a hosted service).
/// </summary>
public sealed class HostedServiceTests
{
    private static readonly IReadOnlyList<Type> HostedServices =
        ProductAssemblies.TypesIn(ProductAssemblies.All).Where(t => typeof(IHostedService).IsAssignableFrom(t)).ToList();

    [Fact]
    public void Host_has_hosted_services()
    {
        Selection.NonEmpty(HostedServices.Where(t => t.Assembly == ProductAssemblies.Host), "IHostedService types in Host");
    }

    [Fact]
    public void Only_Host_declares_hosted_services()
    {
        Selection.NonEmpty(HostedServices, "IHostedService types");
        Selection.NoViolations(
            HostedServices.Where(t => t.Assembly != ProductAssemblies.Host).Select(t => $"{t.FullName} ({t.Assembly.GetName().Name})"),
            "Only Host may declare hosted services");
    }
}
