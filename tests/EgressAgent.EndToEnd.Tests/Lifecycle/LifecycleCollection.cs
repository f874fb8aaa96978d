namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>
/// The lifecycle tests run agent processes and assert time bounds (heartbeat gaps, exit within
/// budget + 2 s). On a 2-core machine they run one at a time, after the parallel tests, so
/// other agents' start-up does not eat their margins.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LifecycleCollection
{
    public const string Name = "Lifecycle: agent processes with time bounds";
}
