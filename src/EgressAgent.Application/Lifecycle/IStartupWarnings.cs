namespace EgressAgent.Application.Lifecycle;

/// <summary>What the agent warns about once at start (files other users can get at, docs/adr/0020).</summary>
public interface IStartupWarnings
{
    void LogAtStart();
}
