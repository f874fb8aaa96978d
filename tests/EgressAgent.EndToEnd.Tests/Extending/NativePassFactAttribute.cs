using EgressAgent.EndToEnd.Tests.Harness;

namespace EgressAgent.EndToEnd.Tests.Extending;

/// <summary>
/// A fact that publishes and runs a native agent of its own, so it runs once, in the native pass
/// (<see cref="AgentProcess.AgentPathVariable"/> set, as CI's second pass does): a NativeAOT
/// publish takes minutes, and the JIT pass proves the same files with a JIT build
/// (<see cref="JitPassFactAttribute"/>). Skipped with this reason in the JIT pass.
/// </summary>
public sealed class NativePassFactAttribute : FactAttribute
{
    public const string JitPassReason = "Publishes a native agent of its own: runs in the native pass only";

    public NativePassFactAttribute()
    {
        if (AgentProcess.NativeAgentPath is null)
        {
            Skip = JitPassReason;
        }
    }
}
