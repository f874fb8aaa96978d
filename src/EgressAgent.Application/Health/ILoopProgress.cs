namespace EgressAgent.Application.Health;

/// <summary>
/// How the agent's loops tell liveness what they are doing (docs/protocol.md §11 <c>/livez</c>,
/// docs/adr/0024). A loop opens a step around work that has an upper bound — a request with its
/// timeout, an operation with its own timeout — and disposes it when the work ends. Between steps
/// the loop is waiting (for a signal, a timer, work), which is alive however long it lasts; only
/// a step still open past its bound means the loop is stuck.
/// </summary>
public interface ILoopProgress
{
    /// <summary>Opens a step of <paramref name="loop"/> that must end within <paramref name="bound"/>.</summary>
    IDisposable Working(string loop, TimeSpan bound);

    /// <summary>
    /// A part of <paramref name="loop"/> died and could not be replaced (a worker, docs/adr/0043):
    /// the agent is not alive any more, and <c>/livez</c> fails with <paramref name="reason"/>
    /// until the process restarts.
    /// </summary>
    void Dead(string loop, string reason);
}
