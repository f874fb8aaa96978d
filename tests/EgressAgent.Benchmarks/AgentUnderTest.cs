using System.Diagnostics;

namespace EgressAgent.Benchmarks;

/// <summary>
/// Which agent a run measures: the JIT build next to the benchmark (<c>dotnet EgressAgent.Host.dll</c>)
/// or a native executable (the NativeAOT publish, named by <c>--native</c> or <c>EGRESS_AGENT_PATH</c>).
/// </summary>
internal sealed record AgentUnderTest(string Label, string? Executable)
{
    public static AgentUnderTest Jit { get; } = new("jit", null);

    public static AgentUnderTest Other(string label, string path) => new(label, Path.GetFullPath(path));

    public ProcessStartInfo StartInfo()
    {
        var start = new ProcessStartInfo(Executable ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Executable is null)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EgressAgent.Host.dll"));
        }

        return start;
    }
}
