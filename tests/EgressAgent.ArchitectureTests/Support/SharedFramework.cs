using System.Reflection;

namespace EgressAgent.ArchitectureTests.Support;

/// <summary>
/// Which assemblies ship with the runtime. "System.*" alone is not enough: NuGet packages can
/// be named System.* too (System.CommandLine), so a BCL assembly is one found in the shared
/// framework's directory.
/// </summary>
internal static class SharedFramework
{
    private static readonly string NetCoreDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
    private static readonly string AspNetCoreDirectory =
        Path.GetDirectoryName(typeof(Microsoft.AspNetCore.Builder.WebApplication).Assembly.Location)!;

    /// <summary>An assembly of Microsoft.NETCore.App named System, System.*, netstandard or mscorlib (no Microsoft.CSharp, no Microsoft.VisualBasic).</summary>
    public static bool IsBcl(AssemblyName reference) =>
        reference.Name is { } name
        && (ProductAssemblies.IsOrUnder(name, "System") || name is "netstandard" or "mscorlib")
        && File.Exists(Path.Combine(NetCoreDirectory, name + ".dll"));

    public static bool IsAspNetCore(AssemblyName reference) =>
        reference.Name is { } name && File.Exists(Path.Combine(AspNetCoreDirectory, name + ".dll"));

    /// <summary>Anything of Microsoft.NETCore.App, including Microsoft.Win32.* and Microsoft.CSharp.</summary>
    public static bool IsNetCore(AssemblyName reference) =>
        reference.Name is { } name && File.Exists(Path.Combine(NetCoreDirectory, name + ".dll"));
}
