using EgressAgent.EndToEnd.Tests.Harness;

namespace EgressAgent.EndToEnd.Tests.Extending;

/// <summary>
/// A fact that builds and runs a JIT agent of its own, so it runs once, in the JIT pass: skipped
/// with this reason when the suite runs against the native agent (<see cref="AgentProcess.AgentPathVariable"/>).
/// </summary>
public sealed class JitPassFactAttribute : FactAttribute
{
    public const string NativePassReason = "Builds a JIT agent of its own: runs in the JIT pass only";

    public JitPassFactAttribute()
    {
        if (AgentProcess.NativeAgentPath is not null)
        {
            Skip = NativePassReason;
        }
    }
}
